//! Reading what the command line is given: files read with a cap, the scenario config and world.

use crate::error::{Error, Result};
use crate::scenario::{ScenarioConfig, ScenarioId};

/// A text file (config, parameter file, measurements), read no further than [`crate::params::MAX_FILE_BYTES`] and
/// decoded as the page decodes an upload ([`crate::json::utf8`]).
pub(super) fn read_file(field: &str, path: &str) -> Result<String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| Error::new(field, format!("cannot read '{path}': {e}"));
    let mut bytes = Vec::new();
    let limit = crate::params::MAX_FILE_BYTES as u64;
    std::fs::File::open(path).and_then(|f| f.take(limit + 1).read_to_end(&mut bytes)).map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(Error::new(field, format!("'{path}' is larger than {limit} bytes, the most accepted")));
    }
    Ok(crate::json::utf8(field, &bytes)?.to_owned())
}

/// A checkpoint file, read no further than its header promises ([`crate::checkpoint::read_capped`]).
pub(super) fn read_checkpoint(field: &str, path: &str) -> Result<crate::train::Trainer> {
    let file = std::fs::File::open(path).map_err(|e| Error::new(field, format!("cannot read '{path}': {e}")))?;
    let bytes = crate::checkpoint::read_capped(std::io::BufReader::new(file)).map_err(|e| e.within(field))?;
    crate::train::Trainer::load(&bytes).map_err(|e| e.within(field))
}

/// The scenario config from `--config`, or the paper's default.
pub(super) fn scenario_config(id: ScenarioId, config: Option<&str>) -> Result<ScenarioConfig> {
    match config {
        Some(path) => {
            ScenarioConfig::from_json(id, &read_file("--config", path)?).map_err(|e| e.rerooted("config", "--config"))
        }
        None => Ok(ScenarioConfig::default_for(id)),
    }
}

/// Applies `--world paper|FILE`; returns whether a fixed world is in use.
pub(super) fn apply_world(config: &mut ScenarioConfig, world: Option<&str>) -> Result<bool> {
    match world {
        Some("paper") => config.use_paper_world().map_err(|e| e.within("--world"))?,
        Some(path) => config.set_world_json(&read_file("--world", path)?).map_err(|e| e.within("--world"))?,
        None => return Ok(config.has_fixed_world()),
    }
    Ok(true)
}
