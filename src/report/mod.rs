//! The headless report (DESIGN §4): `flightdeck.report.v1` as JSON or markdown.
