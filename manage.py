#!/usr/bin/env python
"""Django's command-line utility; reads .env like `make` does (wenchuang/envfile.py)."""

import os
import sys

if __name__ == "__main__":
    from wenchuang.envfile import load_env_file

    load_env_file()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenchuang.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
