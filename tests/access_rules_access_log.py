"""Access rows for the administrator's access-log extract (familien/access_log_urls.py)."""

from tests.access_rules import only

ACCESS_LOG_RULES = {
    # Without a person chosen the page shows its form; only administrators may use it.
    "access_log": only({"admin"}),
    # Without a person the download answers with the form and its message.
    "access_log_csv": only({"admin"}),
}

ACCESS_LOG_URL_KWARGS = {}
