"""Write resources/sounds/alert.wav, the short chime an alert plays.

Two soft bell tones a fifth apart (E6 then B6), each with a quick attack and an
exponential fade, so it is noticed without being harsh. Run from the repository root:
``python packaging/make_alert_sound.py``.
"""

import wave
from pathlib import Path

import numpy as np

RATE = 44_100
OUT = Path(__file__).resolve().parents[1] / "resources" / "sounds" / "alert.wav"


def bell(freq: float, seconds: float) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    attack = np.minimum(t / 0.005, 1.0)  # no click at the start
    fade = np.exp(-t * 7.0)
    # a little of the octave above makes it a bell rather than a beep
    tone = np.sin(2 * np.pi * freq * t) + 0.25 * np.sin(4 * np.pi * freq * t)
    return tone * attack * fade


def chime() -> np.ndarray:
    first, second = bell(1318.5, 0.45), bell(1975.5, 0.55)
    gap = int(RATE * 0.12)
    out = np.zeros(gap + len(second))
    out[: len(first)] += first
    out[gap:] += 0.8 * second
    out[-int(RATE * 0.01):] *= np.linspace(1.0, 0.0, int(RATE * 0.01))  # no click at the end
    return out / np.abs(out).max() * 0.5


def main() -> None:
    samples = (chime() * 32767).astype("<i2")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(OUT), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(RATE)
        f.writeframes(samples.tobytes())
    print(f"{OUT}: {len(samples) / RATE:.2f} s")


if __name__ == "__main__":
    main()
