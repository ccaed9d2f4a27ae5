"""`{% load i18n i18n_kept %}`: Django's translate tag, with `{% translate "a literal" %}`
kept per language (issue 19).

A console ticket page renders about 150 translate tags. Each made a lazy string, found
the active language through asgiref's Local, asked the catalogue and escaped the answer:
some fifty calls a tag, about a sixth of the page's Python. A tag whose message (and
context) is a literal, with no filter, gives the same text for the same language and
escaping, so each such tag keeps what it gave the first time; any other renders as
Django's does. Loaded after i18n, its `translate` and `trans` replace Django's in that
template (the console's templates load it; a library may not take Django's own label,
templates.W003).
"""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, Parser, Token, Variable
from django.templatetags import i18n
from django.utils import translation

register = template.Library()


def _literal(expression: FilterExpression | None) -> bool:
    if expression is None:
        return True
    var = expression.var
    if expression.filters:
        return False
    return isinstance(var, str) or (isinstance(var, Variable) and var.lookups is None)


class KeptTranslateNode(i18n.TranslateNode):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.constant = _literal(self.filter_expression) and _literal(self.message_context)
        self.kept: dict[tuple[str | None, bool], str] = {}

    def render(self, context: template.Context) -> str:
        if not self.constant:
            return super().render(context)
        key = (translation.get_language(), context.autoescape)
        value = self.kept.get(key)
        if value is None:
            rendered = super().render(context)
            self.kept[key] = context[self.asvar] if self.asvar else rendered
            return rendered
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


@register.tag("translate")
@register.tag("trans")
def do_translate(parser: Parser, token: Token) -> KeptTranslateNode:
    node = i18n.do_translate(parser, token)
    return KeptTranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)
