#!/usr/bin/env python3
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "custos.settings")
    if sys.argv[1:2] == ["demo_totp"]:
        # The README has people type `manage.py demo_totp` in a fresh shell, after `bootstrap.py demo` set the demo
        # up with CUSTOS_DEBUG on. It runs with the demo's settings: it only reads the demo's own authenticator rows
        # and refuses where there are none, so it needs no production secret key (issue 15, item 9).
        os.environ.setdefault("CUSTOS_DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
