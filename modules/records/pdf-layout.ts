// The PDF layout's version, apart from the renderer (pdf.ts): the server keys stored PDFs by it,
// while pdfkit and its fonts load only in the PDF worker thread that renders (idle RSS, issue 12).

/** The layout version: stored PDFs are keyed by it too, so that a changed layout renders records anew. */
export const PDF_LAYOUT = 2;
