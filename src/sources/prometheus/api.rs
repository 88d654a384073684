//! The Prometheus HTTP API envelope and result shapes (API-NOTES §1), parsed leniently:
//! timestamps may be integers or floats, values are strings that may read "NaN",
//! "+Inf" or "-Inf", `errorType` is an open string (VictoriaMetrics sends "422"),
//! native-histogram fields and unknown fields are ignored.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::event::{SourceError, SourceErrorKind};
use crate::model::outside::OutsideText;
use crate::net::error::quote_body;

/// Longest `errorType` quoted.
const ERROR_TYPE_CHARS: usize = 32;

#[derive(Debug, Deserialize)]
struct Envelope<T> {
    status: String,
    data: Option<T>,
    #[serde(rename = "errorType")]
    error_type: Option<OutsideText>,
    error: Option<OutsideText>,
    #[serde(default)]
    warnings: Vec<OutsideText>,
    #[serde(default)]
    infos: Vec<OutsideText>,
}

/// One `[timestamp, "value"]` pair. serde_json hands integers to an `f64` field as
/// well, so `1795082971` and `1435781451.781` both parse.
#[derive(Debug, Clone, Deserialize)]
pub struct SamplePair(pub f64, pub String);

impl SamplePair {
    pub fn value(&self) -> f64 {
        parse_value(&self.1)
    }
}

/// Prometheus's text forms of special values; anything unparsable is NaN (no data).
pub fn parse_value(s: &str) -> f64 {
    match s {
        "NaN" => f64::NAN,
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        other => other.parse().unwrap_or(f64::NAN),
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct VectorSample {
    #[serde(default)]
    pub metric: BTreeMap<String, String>,
    /// Absent when the sample is a native histogram (`histogram`), which we skip.
    pub value: Option<SamplePair>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MatrixSeries {
    #[serde(default)]
    pub metric: BTreeMap<String, String>,
    /// A series may carry only `histograms`.
    #[serde(default)]
    pub values: Vec<SamplePair>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
pub enum QueryData {
    Vector(Vec<VectorSample>),
    Matrix(Vec<MatrixSeries>),
    Scalar(SamplePair),
    String(SamplePair),
}

#[derive(Debug, Clone, Deserialize)]
pub struct BuildInfo {
    #[serde(default)]
    pub version: OutsideText,
}

/// A successful answer and the warnings (and infos) that came with it.
#[derive(Debug, Clone)]
pub struct Answer<T> {
    pub data: T,
    pub warnings: Vec<OutsideText>,
}

/// Parses a body into its `data`, or the error a user can act on.
pub fn parse<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<Answer<T>, SourceError> {
    let envelope: Envelope<T> = serde_json::from_slice(body).map_err(|e| SourceError {
        kind: SourceErrorKind::BadResponse,
        message: if (200..300).contains(&status) {
            format!("the answer is not the Prometheus API's JSON ({e}); check url and path_prefix")
        } else {
            format!("HTTP {status}: {}", quote_body(body, &[]))
        }
        .into(),
    })?;
    let warnings: Vec<OutsideText> = envelope
        .warnings
        .into_iter()
        .chain(envelope.infos)
        .collect();
    if envelope.status != "success" {
        // errorType is a short word ("bad_data", "422"); a long one is cut so that the
        // error text after it is still shown.
        let error_type = envelope.error_type.as_deref().map_or_else(
            || OutsideText::line("error"),
            |t| OutsideText::with_limit(t, ERROR_TYPE_CHARS),
        );
        let error_type = error_type.as_str();
        let kind = match error_type {
            "timeout" | "canceled" => SourceErrorKind::Timeout,
            "internal" | "unavailable" => SourceErrorKind::Server,
            _ => SourceErrorKind::Query,
        };
        let text = envelope.error.as_deref().unwrap_or("no error text");
        // The kind's word leads every message already: `timeout: timeout: …` stutters.
        let message = if error_type == kind.word() {
            text.to_string()
        } else {
            format!("{error_type}: {text}")
        };
        return Err(SourceError {
            kind,
            message: message.into(),
        });
    }
    match envelope.data {
        Some(data) => Ok(Answer { data, warnings }),
        None => Err(SourceError {
            kind: SourceErrorKind::BadResponse,
            message: "the answer says success but holds no data".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_and_float_timestamps_and_special_values() {
        let body = br#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"service":"api"},"values":[[1795082971,"1"],[1435781451.781,"NaN"],[1795086571,"+Inf"],[1795090171,"-Inf"]]},
            {"metric":{},"histograms":[[1795082971,{"count":"3"}]]}]}}"#;
        let a: Answer<QueryData> = parse(200, body).expect("parses");
        let QueryData::Matrix(series) = a.data else {
            panic!("matrix expected")
        };
        let v = &series[0].values;
        assert_eq!(v[0].0, 1_795_082_971.0);
        assert_eq!(v[1].0, 1_435_781_451.781);
        assert_eq!(v[0].value(), 1.0);
        assert!(v[1].value().is_nan());
        assert_eq!(v[2].value(), f64::INFINITY);
        assert_eq!(v[3].value(), f64::NEG_INFINITY);
        assert!(series[1].values.is_empty());
    }

    #[test]
    fn vector_with_native_histogram_and_warnings() {
        let body = br#"{"status":"success","warnings":["partial response"],"infos":["info \u001b"],"isPartial":false,
            "data":{"resultType":"vector","result":[{"metric":{},"histogram":[1,{"count":"1"}]}]}}"#;
        let a: Answer<QueryData> = parse(200, body).expect("parses");
        assert_eq!(a.warnings, ["partial response", "info \u{241b}"]);
        let QueryData::Vector(v) = a.data else {
            panic!("vector expected")
        };
        assert!(v[0].value.is_none());
    }

    #[test]
    fn error_type_is_an_open_string() {
        let vm = br#"{"status":"error","errorType":"422","error":"cannot parse"}"#;
        let e = parse::<QueryData>(422, vm).expect_err("error");
        assert_eq!(e.kind, SourceErrorKind::Query);
        assert_eq!(e.message, "422: cannot parse");
        let t = br#"{"status":"error","errorType":"timeout","error":"query timed out"}"#;
        assert_eq!(
            parse::<QueryData>(503, t).expect_err("err").kind,
            SourceErrorKind::Timeout
        );
    }

    #[test]
    fn malformed_json_is_a_bad_response() {
        let e = parse::<QueryData>(200, b"{\"status\":").expect_err("malformed");
        assert_eq!(e.kind, SourceErrorKind::BadResponse);
        assert!(e.message.contains("path_prefix"), "{}", e.message);
    }

    #[test]
    fn scalar_and_string_results() {
        let a: Answer<QueryData> = parse(
            200,
            br#"{"status":"success","data":{"resultType":"scalar","result":[1795118976,"10"]}}"#,
        )
        .expect("scalar");
        assert!(matches!(a.data, QueryData::Scalar(SamplePair(_, ref v)) if v == "10"));
    }
}
