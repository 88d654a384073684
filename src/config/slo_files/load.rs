//! Reading one SLO file: bounded in size, parsed into located YAML documents, every
//! failure an error naming the file (and the line and column of a syntax error).

use std::path::Path;

use super::super::ConfigError;
use super::yaml;

/// A file larger than this is refused: SLO files are a few kilobytes.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The documents of one file, or the error that names why it cannot be read.
pub fn load(file: &Path) -> Result<Vec<yaml::Node>, ConfigError> {
    let error = |line, column, message| ConfigError {
        file: file.to_path_buf(),
        line,
        column,
        key: None,
        message,
    };
    let size = std::fs::metadata(file)
        .map_err(|e| error(None, None, format!("cannot read the SLO file: {e}")))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(error(
            None,
            None,
            format!("an SLO file of at most {MAX_FILE_BYTES} bytes, found {size}"),
        ));
    }
    let text = std::fs::read_to_string(file)
        .map_err(|e| error(None, None, format!("cannot read the SLO file: {e}")))?;
    yaml::parse(&text).map_err(|e| {
        error(
            Some(e.line),
            Some(e.col),
            format!("YAML syntax: {}", e.message),
        )
    })
}
