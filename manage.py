#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familien.settings")
    # On a developer's machine manage.py works on the embedded demo without ceremony;
    # the web server and the workers (wsgi.py, celery.py) and the production image
    # (FAMILIEN_MODE=production in the Dockerfile) still default to production.
    os.environ.setdefault("FAMILIEN_MODE", "embedded")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
