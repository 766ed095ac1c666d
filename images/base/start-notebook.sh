#!/bin/bash
# Kept for images and hub configs that still call the shell name.
exec /usr/local/bin/start-notebook.py "$@"
