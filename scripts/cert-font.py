#!/usr/bin/python3
"""cert-font.py SRC DST: the certificate font, made once from Debian's
fonts-wqy-microhei: the first font of the collection as a plain TrueType
file whose composite glyphs are decomposed into simple outlines.

Why: libharu (2.3.0) subsets the TrueType font it embeds, and a composite
glyph (most CJK characters of WenQuanYi Micro Hei are built from
components) loses its components in the subset, so those characters print
blank. With every glyph simple, the subset is complete. The result is
written atomically; the server reads it (`cert_font`)."""
import os
import sys

from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont


def main():
    src, dst = sys.argv[1], sys.argv[2]
    font = TTFont(src, fontNumber=0, lazy=False)
    glyf = font["glyf"]
    gs = font.getGlyphSet()
    changed = 0
    for name in font.getGlyphOrder():
        g = glyf[name]
        if not g.isComposite():
            continue
        rec = DecomposingRecordingPen(gs)
        gs[name].draw(rec)
        pen = TTGlyphPen(None)
        rec.replay(pen)
        glyf[name] = pen.glyph()
        changed += 1
    # Hints of composites referred to their components; none are needed to print.
    tmp = dst + ".tmp"
    font.save(tmp)
    os.replace(tmp, dst)
    print("%s: %d composite glyphs decomposed" % (dst, changed))


if __name__ == "__main__":
    main()
