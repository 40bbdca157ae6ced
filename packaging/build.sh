#!/bin/sh
# Build the one-folder bundle dist/smtdesk/ and run its self-test.
#   packaging/build.sh
# with smtdesk installed with its bundle extra (pip install -e ".[bundle]") in .venv, or in
# the Python named by $PYTHON. Prints where the bundle and the self-test's screenshot are;
# exits non-zero on any failure.
set -eu
cd "$(dirname "$0")/.."
if [ -z "${PYTHON:-}" ] && [ -x .venv/bin/python ]; then
    PYTHON=.venv/bin/python
fi
python=${PYTHON:-python3}
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/smtdesk.spec
echo "bundle: $(pwd)/dist/smtdesk/smtdesk"
shot=$(pwd)/build/self-test.png
dist/smtdesk/smtdesk --self-test --replay-seconds 0.5 --screenshot "$shot"
