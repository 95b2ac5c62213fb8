"""Access rows for spreadsheet imports."""

from tests.access_rules import only

IMPORT_RULES = {
    "import_upload": only({"leader", "leader_other", "central", "admin"}),
    # POST only.
    "import_commit": only({}, otherwise=405, anonymous=405),
}

IMPORT_URL_KWARGS = {}
