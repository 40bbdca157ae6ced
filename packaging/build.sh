#!/bin/sh
# Build the one-folder bundle dist/smtdesk/ and run its self-test.
#   packaging/build.sh            (from the repository root, in a venv with .[bundle])
# Prints where the bundle and the self-test's screenshot are; exits non-zero on any failure.
set -eu
cd "$(dirname "$0")/.."
python=${PYTHON:-python}
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/smtdesk.spec
echo "bundle: $(pwd)/dist/smtdesk/smtdesk"
shot=$(pwd)/build/self-test.png
dist/smtdesk/smtdesk --self-test --replay-seconds 0.5 --screenshot "$shot"
