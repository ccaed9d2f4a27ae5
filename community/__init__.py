"""The community forum: customers ask and answer one another, staff give official answers.

Higher than helpcenter, tickets and livechat: it uses their public functions (the
sensitive-data guard, the official-channel check, staff IDs) and none of them imports it.
"""
