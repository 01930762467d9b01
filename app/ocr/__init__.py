"""OCR for scanned pages: offline (MuPDF's built-in Tesseract), in background processes.

- :mod:`app.ocr.engine`: OCR one page (words in PDF points), language-data lookup.
- :mod:`app.ocr.quality`: the confidence proxy, the garbage-text test, stamp repair.
- :mod:`app.ocr.page`: one page's job (OCR, stamps, redaction re-analysis, page text).
- :mod:`app.ocr.queue`: the matter's OCR queue, :func:`run_ocr`, pause/cancel, re-OCR.

Importing this package imports neither PyMuPDF nor the language data.
"""

from app.ocr.engine import INSTALL_HINT, OcrUnavailable, find_tessdata, ocr_available

__all__ = ["INSTALL_HINT", "OcrUnavailable", "find_tessdata", "ocr_available"]
