#!/bin/sh
# Runs a GUI test on the display there is, or on a virtual one; 77 (skip) when neither.
if [ -n "$DISPLAY" ] || [ -n "$WAYLAND_DISPLAY" ]; then
  exec "$@"
fi
if command -v xvfb-run >/dev/null 2>&1; then
  exec xvfb-run -a -s "-screen 0 1024x900x24" "$@"
fi
echo "# no display and no xvfb-run: skipping"
exit 77
