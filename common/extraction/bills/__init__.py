"""The bill extraction cascade: read the PDF safely, detect the provider, apply its template or the
generic heuristics, ask Gemini when configured, and audit what was found."""
