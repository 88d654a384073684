//! `flightdeck doctor`: checks the config and reaches every configured source.
