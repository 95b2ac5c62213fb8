"""Keep survey links' tokens out of the logs (issue 6 item 7: nothing leaks into logs).

Django's request logging (runserver's access lines, "Not Found" warnings) writes the
request path, and a respondent's path is their token. The filter replaces it in the
formatted message before any handler writes it.
"""

import logging
import re

TOKEN_IN_PATH = re.compile(r"/s/[^/\s\"?]+")


class HideSurveyTokens(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        if "/s/" in message:
            record.msg = TOKEN_IN_PATH.sub("/s/…", message)
            record.args = ()
        return True
