"""What a customer's message asks for, by fixed rules (no ORM, no model): hand-off words,
an urgent security problem, a question about their own account, the skill it needs.

Rules, not the search engine, because these must never be missed or diluted by a
help-centre article that happens to match: "人工" always reaches a person.
"""

from __future__ import annotations

import re

HANDOFF = re.compile(
    r"转人工|人工客服|人工服务|人工|真人|客服人员|找客服|联系客服|接客服|"
    r"\bhuman\b|\bagents?\b|\breal person\b|\blive person\b|\brepresentative\b|\boperator\b|"
    r"\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:someone|somebody|a person|a human|a real|"
    r"support|staff|customer service)",
    re.IGNORECASE,
)

SECURITY = re.compile(
    r"被盗|盗号|被黑|被偷|被人登录|被人登陆|被人盗|陌生登录|陌生登陆|异地登录|异地登陆|"
    r"不是我操作|不是本人操作|非本人操作|我没有操作|我没操作|不是我本人|"
    r"资金被转走|币被转走|钱被转走|被转走|被提走|被人提|莫名其妙.{0,6}(?:提币|提现|转出|登录)|"
    r"我没有?(?:提币|提现|转账)过?|"
    r"\bhack(?:ed|er|ers)?\b|\bstolen\b|\bstole\b|\bcompromised\b|"
    r"\bunauthori[sz]ed\b|\bwasn'?t me\b|\bnot me\b|"
    r"\b(?:did ?n[o']?t|never)\s+(?:make|do|authori[sz]e|request|recogni[sz]e|approve)\b"
    r".{0,40}\b(?:log ?in|sign[- ]?in|withdraw\w*|transfer|transaction|trade|order)|"
    r"\b(?:someone|somebody)\s+(?:else\s+)?(?:logged|signed|withdrew|accessed|took|stole|"
    r"transferred|is using|has access)|"
    r"\b(?:unknown|strange|suspicious)\s+(?:log ?in|sign[- ]?in|device|withdrawal)",
    re.IGNORECASE,
)

# A question about the customer's own account, which the bot cannot discuss unsigned.
ABOUT_ACCOUNT = re.compile(
    r"我的(?:账户|账号|帐户|帐号|提币|提现|充值|充币|订单|余额|资产|认证|实名|密码|钱|币|工单)|"
    r"我(?:账户|账号|帐号)|"
    r"\bmy\s+(?:account|withdrawal|deposit|order|balance|kyc|verification|funds|money|"
    r"uid|password|2fa|ticket|position|coins?|assets?|wallet)s?\b",
    re.IGNORECASE,
)

SKILLS = (
    (
        "kyc",
        re.compile(
            r"\bkyc\b|identity|verif(?:y|ication)\s+(?:my\s+)?(?:identity|id)|passport|"
            r"\bid card\b|selfie|driv(?:ing|er'?s) licen[cs]e|proof of address|"
            r"实名|身份认证|身份验证|认证|证件|身份证|护照|人脸|自拍",
            re.IGNORECASE,
        ),
    ),
    (
        "trading",
        re.compile(
            r"\btrad(?:e|es|ing)\b|\border\b|\borders\b|futures|margin|leverage|liquidat|"
            r"\bposition\b|\bspot\b|stop[- ]loss|take[- ]profit|\bfilled\b|\bp2p\b|"
            r"交易|订单|挂单|委托|合约|杠杆|爆仓|强平|仓位|止损|止盈|成交|现货",
            re.IGNORECASE,
        ),
    ),
)

FEEDBACK_NO = re.compile(
    r"^\s*(?:no|nope|nah|not really|not at all|it did ?n[o']?t|didn'?t help|no it didn'?t|"
    r"否|不|没有|没|没用|没有用|没帮助|没有帮助|不是|不行|没解决|没有解决|不对)\s*[.!。！]?\s*$",
    re.IGNORECASE,
)
FEEDBACK_YES = re.compile(
    r"^\s*(?:yes|yeah|yep|yup|y|ok|okay|thanks|thank you|it did|it helped|solved|"
    r"是|是的|有|有用|有帮助|解决了|好的|好|谢谢|行)\s*[.!。！]?\s*$",
    re.IGNORECASE,
)


def wants_human(text: str) -> bool:
    return bool(HANDOFF.search(text))


def is_security_emergency(text: str) -> bool:
    return bool(SECURITY.search(text))


def is_about_account(text: str) -> bool:
    return bool(ABOUT_ACCOUNT.search(text))


def skill_for(texts: list[str]) -> str:
    """The skill for the first of `texts` (newest first) that names one; else "general"."""
    for text in texts:
        if is_security_emergency(text):
            return "security"
        for skill, pattern in SKILLS:
            if pattern.search(text):
                return skill
    return "general"


def feedback_answer(text: str) -> bool | None:
    """True for "yes", False for "no", None when the message is not such an answer."""
    if FEEDBACK_NO.match(text):
        return False
    if FEEDBACK_YES.match(text):
        return True
    return None
