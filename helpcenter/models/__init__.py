from helpcenter.models.analytics import CounterFlush, SearchClickStat, SearchQueryStat
from helpcenter.models.announcements import Announcement, GlossaryTerm
from helpcenter.models.articles import Article, ArticleCategory, ArticleFeedback, SearchSynonym
from helpcenter.models.channels import BusinessCalendar, BusinessHours, ContactChannel, Holiday

__all__ = [
    "Announcement",
    "Article",
    "ArticleCategory",
    "ArticleFeedback",
    "BusinessCalendar",
    "BusinessHours",
    "ContactChannel",
    "CounterFlush",
    "GlossaryTerm",
    "Holiday",
    "SearchClickStat",
    "SearchQueryStat",
    "SearchSynonym",
]
