//! The WebAssembly API (wasm-bindgen). An adapter only: it converts between JavaScript values and the
//! library's types and never decides anything itself. Errors reach JavaScript as `Error` objects whose
//! message names the offending field; nothing a caller passes can panic the module.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::scenario::{Action, Env, Heuristic, ScenarioConfig, ScenarioId};

/// Installs the panic hook so that a bug (never user input) shows its message in the console.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

fn js_error(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("internal: cannot convert a result to JavaScript: {e}")))
}

/// Largest integer a JavaScript number holds exactly; seeds are limited to it.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A seed given as a JavaScript number: a whole number in `0..=2^53 - 1`.
fn seed_from_js(field: &str, value: f64) -> Result<u64, Error> {
    if value.is_finite() && value >= 0.0 && value <= MAX_SAFE_INTEGER && value.fract() == 0.0 {
        Ok(value as u64)
    } else {
        Err(Error::new(field, format!("must be a whole number from 0 to {MAX_SAFE_INTEGER}, got {value}")))
    }
}

/// The scenario ids, in display order.
#[wasm_bindgen(js_name = scenarioIds)]
pub fn scenario_ids() -> Vec<String> {
    ScenarioId::ALL.iter().map(|id| id.name().to_owned()).collect()
}

/// The paper's default config of `scenario`, as JSON.
#[wasm_bindgen(js_name = defaultConfig)]
pub fn default_config(scenario: &str) -> Result<String, JsError> {
    let id = ScenarioId::parse("scenario", scenario).map_err(js_error)?;
    Ok(serde_json::to_string(&ScenarioConfig::default_for(id)).expect("configs serialise"))
}

/// The outcome of one step, as JavaScript sees it.
#[derive(Serialize)]
struct StepResult {
    action: Action,
    reward: f64,
    terminated: bool,
    truncated: bool,
}

/// One scenario being stepped by hand or by a heuristic.
#[wasm_bindgen]
pub struct Simulator {
    env: Box<dyn Env>,
    config: ScenarioConfig,
    episode_seed: u64,
    heuristic: Option<Heuristic>,
}

#[wasm_bindgen]
impl Simulator {
    /// Builds `scenario` from `config_json` (any of its fields; the rest take the paper's defaults) and
    /// starts episode seed 0.
    #[wasm_bindgen(constructor)]
    pub fn new(scenario: &str, config_json: &str) -> Result<Simulator, JsError> {
        let id = ScenarioId::parse("scenario", scenario).map_err(js_error)?;
        let config = ScenarioConfig::from_json(id, config_json).map_err(js_error)?;
        let mut env = config.build().map_err(js_error)?;
        env.reset(0);
        Ok(Simulator { env, config, episode_seed: 0, heuristic: None })
    }

    /// The config in use (with every field), as JSON tagged with the scenario id.
    pub fn config(&self) -> String {
        serde_json::to_string(&self.config).expect("configs serialise")
    }

    /// Names of the scenario's heuristics.
    pub fn heuristics(&self) -> Vec<String> {
        self.env.heuristics().iter().map(|h| (*h).to_owned()).collect()
    }

    /// Number of choices of a discrete action space.
    #[wasm_bindgen(js_name = actionCount)]
    pub fn action_count(&self) -> Option<u32> {
        self.env.action_space().discrete_n().map(|n| n as u32)
    }

    /// Starts the episode with `seed` (a whole number) and returns its first observation.
    pub fn reset(&mut self, seed: f64) -> Result<Vec<f32>, JsError> {
        let seed = seed_from_js("seed", seed).map_err(js_error)?;
        self.episode_seed = seed;
        self.env.reset(seed);
        if let Some(h) = &mut self.heuristic {
            h.reset(seed);
        }
        Ok(self.env.observation().to_vec())
    }

    /// The current observation.
    pub fn observation(&self) -> Vec<f32> {
        self.env.observation().to_vec()
    }

    /// Whether the episode has ended.
    pub fn done(&self) -> bool {
        self.env.is_done()
    }

    /// Takes discrete action `action`; returns `{action, reward, terminated, truncated}`.
    pub fn step(&mut self, action: f64) -> Result<JsValue, JsError> {
        if !(action.is_finite() && action >= 0.0 && action.fract() == 0.0 && action <= u32::MAX as f64) {
            return Err(js_error(Error::new("action", format!("must be a whole number from 0, got {action}"))));
        }
        self.apply(Action::Discrete(action as usize))
    }

    /// Lets the heuristic called `name` take the pending decision; returns what `step` returns.
    #[wasm_bindgen(js_name = stepPolicy)]
    pub fn step_policy(&mut self, name: &str) -> Result<JsValue, JsError> {
        let action = self.policy_action(name).map_err(js_error)?;
        self.apply(action)
    }

    /// Lets the heuristic `name` take up to `count` decisions (fewer if the episode ends); returns the
    /// number taken. For fast play: one call per animation frame instead of one per decision.
    #[wasm_bindgen(js_name = runPolicy)]
    pub fn run_policy(&mut self, name: &str, count: u32) -> Result<u32, JsError> {
        let mut taken = 0;
        while taken < count && !self.env.is_done() {
            let action = self.policy_action(name).map_err(js_error)?;
            self.env.step(&action).map_err(js_error)?;
            taken += 1;
        }
        Ok(taken)
    }

    /// What the front end draws (scenario-specific, tagged by `scenario`).
    pub fn snapshot(&self) -> Result<JsValue, JsError> {
        to_js(&self.env.snapshot())
    }

    /// The episode's figures so far, `{name: value}`.
    pub fn metrics(&self) -> Result<JsValue, JsError> {
        to_js(&self.env.metrics())
    }
}

impl Simulator {
    fn policy_action(&mut self, name: &str) -> Result<Action, Error> {
        if self.env.is_done() {
            return Err(Error::new("action", "the episode has ended; reset to start another"));
        }
        let same = self.heuristic.as_ref().is_some_and(|h| h.name(self.env.as_ref()) == name);
        if !same {
            let heuristic = Heuristic::new(self.env.as_ref(), name, self.episode_seed)?;
            self.env.set_system(Some(heuristic.index()))?;
            self.heuristic = Some(heuristic);
        }
        let heuristic = self.heuristic.as_mut().expect("set just above");
        Ok(heuristic.act(self.env.as_ref()))
    }

    fn apply(&mut self, action: Action) -> Result<JsValue, JsError> {
        let step = self.env.step(&action).map_err(js_error)?;
        to_js(&StepResult { action, reward: step.reward, terminated: step.terminated, truncated: step.truncated })
    }
}
