//! `diffedge params`: schemas, checking, defaults and fits of parameter files.

use super::args::ParamsCommand;
use super::inputs::read_file;
use crate::error::{Error, Result};
use crate::scenario::{ScenarioConfig, ScenarioId};

pub(super) fn params(command: &ParamsCommand) -> Result<String> {
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).expect("JSON values serialise") + "\n";
    match command {
        ParamsCommand::Schema { scenario, config } => {
            let id = ScenarioId::parse("scenario", scenario)?;
            let schema = if *config { ScenarioConfig::config_schema(id) } else { ScenarioConfig::params_schema(id)? };
            Ok(pretty(&schema))
        }
        ParamsCommand::Check { scenario, file } => {
            let id = ScenarioId::parse("scenario", scenario)?;
            let mut config = ScenarioConfig::default_for(id);
            // Paths relative to the file itself, not to a config's `world`.
            config.set_world_json(&read_file("file", file)?).map_err(|e| match e.field.strip_prefix("world.") {
                Some(path) => Error::new(path, e.problem),
                None => e,
            })?;
            Ok("ok\n".to_owned())
        }
        ParamsCommand::Default { scenario, world_seed, paper } => {
            let id = ScenarioId::parse("scenario", scenario)?;
            let mut config = ScenarioConfig::default_for(id);
            if *paper {
                config.use_paper_world().map_err(|e| e.within("--paper"))?;
            } else {
                config.set_world_seed(*world_seed);
            }
            config.world_params_json()
        }
        ParamsCommand::Fit { scenario, file, score_max } => {
            let id = ScenarioId::parse("scenario", scenario)?;
            Ok(pretty(&ScenarioConfig::fit_csv(id, &read_file("file", file)?, *score_max)?))
        }
    }
}
