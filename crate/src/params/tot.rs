//! The `tot` parameter file, `{"schema": "tot/v1"}`: the fitted delay and quality curves of the base
//! station (BS) and of every service provider (SP), where each stands, and the Markov chain of the SPs'
//! token budgets. This is the part of the `tot` world that users replace with their own measurements
//! (see [`super::fit`] for fitting the curves from a CSV table).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ParamFile;
use crate::error::{Error, Result, check_count, check_range};

/// Most service providers a world may have.
pub const MAX_SERVICE_PROVIDERS: u64 = 12;
/// Most states of the token-budget chain.
pub const MAX_CHAIN_STATES: usize = 16;
/// Largest token count accepted anywhere.
pub const MAX_TOKENS: u64 = 1_000_000;
/// Shortest generation delay accepted for the BS's thoughts (s).
pub const MIN_BS_DELAY_S: f64 = 1.0e-3;
/// How far a transition row's sum may stray from 1 (rounding in hand-edited files).
const ROW_SUM_TOLERANCE: f64 = 1e-6;

/// A server's fitted curves over its output token count `C`: quality `Score = Score_max − σ·e^(−ρ·C)` and
/// generation delay `T_gen = η·C + ψ`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Curve {
    /// Initial score deficit `σ` (how far below `Score_max` the model starts).
    pub sigma: f64,
    /// Rate `ρ` at which quality approaches `Score_max`, per token.
    pub rho_per_token: f64,
    /// Generation delay per output token `η` (s).
    pub eta_s_per_token: f64,
    /// Fixed generation overhead `ψ` (s).
    pub psi_s: f64,
}

impl Curve {
    /// Quality of a thought of `tokens` output tokens, with the file's `score_max`.
    pub fn score(&self, score_max: f64, tokens: f64) -> f64 {
        score_max - self.sigma * libm::exp(-self.rho_per_token * tokens)
    }

    /// Generation delay (s) of a thought of `tokens` output tokens.
    pub fn delay_s(&self, tokens: f64) -> f64 {
        self.eta_s_per_token * tokens + self.psi_s
    }

    /// Checks the curve at JSON path `field`.
    pub fn validate(&self, field: &str) -> Result<()> {
        check_range(&format!("{field}.sigma"), self.sigma, 0.0, 1.0e6)?;
        check_range(&format!("{field}.rho_per_token"), self.rho_per_token, 0.0, 100.0)?;
        check_range(&format!("{field}.eta_s_per_token"), self.eta_s_per_token, 0.0, 1000.0)?;
        check_range(&format!("{field}.psi_s"), self.psi_s, 0.0, 1.0e6)
    }
}

/// The base station: where it stands, its fixed token count `C_0` and its curves.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaseStation {
    /// East coordinate (m).
    pub x_m: f64,
    /// North coordinate (m).
    pub y_m: f64,
    /// Output tokens `C_0` of every thought it generates.
    pub tokens: u32,
    /// Its fitted curves.
    pub curve: Curve,
}

/// One service provider: where it stands and its curves (its token budget follows the chain).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceProvider {
    /// East coordinate (m).
    pub x_m: f64,
    /// North coordinate (m).
    pub y_m: f64,
    /// Its fitted curves.
    pub curve: Curve,
}

/// A Markov chain over the SPs' token budgets, stepping once per ToT step; each SP runs its own copy,
/// starting from a uniformly drawn state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenChain {
    /// Token budget of each state.
    pub tokens: Vec<u32>,
    /// `transition[i][j]`: probability of moving from state `i` to state `j`; each row sums to 1.
    pub transition: Vec<Vec<f64>>,
}

impl TokenChain {
    /// The paper's chain: budgets 125, 100, 75, 50 tokens, sticky with drift to neighbouring states.
    pub fn paper() -> Self {
        Self {
            tokens: vec![125, 100, 75, 50],
            transition: vec![
                vec![0.4, 0.3, 0.2, 0.1],
                vec![0.3, 0.4, 0.2, 0.1],
                vec![0.1, 0.2, 0.4, 0.3],
                vec![0.1, 0.2, 0.3, 0.4],
            ],
        }
    }

    /// The largest budget (it normalises the observation).
    pub fn max_tokens(&self) -> u32 {
        self.tokens.iter().copied().max().unwrap_or(1)
    }

    fn validate(&self, field: &str) -> Result<()> {
        let n = self.tokens.len();
        check_count(&format!("{field}.tokens"), n as u64, 1, MAX_CHAIN_STATES as u64)
            .map_err(|e| Error::new(e.field, format!("list length {}", e.problem)))?;
        for (i, &t) in self.tokens.iter().enumerate() {
            check_count(&format!("{field}.tokens[{i}]"), u64::from(t), 1, MAX_TOKENS)?;
        }
        if self.transition.len() != n {
            return Err(Error::new(
                format!("{field}.transition"),
                format!("must have one row per state ({n}), got {}", self.transition.len()),
            ));
        }
        for (i, row) in self.transition.iter().enumerate() {
            let path = format!("{field}.transition[{i}]");
            if row.len() != n {
                return Err(Error::new(&path, format!("must have one entry per state ({n}), got {}", row.len())));
            }
            for (j, &p) in row.iter().enumerate() {
                check_range(&format!("{path}[{j}]"), p, 0.0, 1.0)?;
            }
            let sum: f64 = row.iter().sum();
            if (sum - 1.0).abs() > ROW_SUM_TOLERANCE {
                return Err(Error::new(path, format!("must sum to 1, got {sum}")));
            }
        }
        Ok(())
    }
}

/// A fixed `tot` world: `{"schema": "tot/v1", "source": "...", "score_max": 10, "bs": {...},
/// "token_chain": {...}, "service_providers": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TotParams {
    /// Always `"tot/v1"`.
    pub schema: String,
    /// Where the numbers come from (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Highest score `Score_max` of the quality curves (the scale of the evaluation prompt).
    pub score_max: f64,
    /// The base station.
    pub bs: BaseStation,
    /// The SPs' token-budget chain.
    pub token_chain: TokenChain,
    /// The service providers, in action order (action `u` is `service_providers[u − 1]`).
    pub service_providers: Vec<ServiceProvider>,
}

impl TotParams {
    /// The paper's `Score_max`.
    pub const PAPER_SCORE_MAX: f64 = 10.0;

    /// The paper's base station (Table 1) at the centre of a square of side `area_m`.
    pub fn paper_bs(area_m: f64) -> BaseStation {
        BaseStation {
            x_m: area_m / 2.0,
            y_m: area_m / 2.0,
            tokens: 150,
            curve: Curve { sigma: 50.0, rho_per_token: 0.085, eta_s_per_token: 0.05, psi_s: 0.1 },
        }
    }
}

impl ParamFile for TotParams {
    const SCHEMA: &'static str = "tot/v1";

    fn schema_tag(&self) -> &str {
        &self.schema
    }

    fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    fn validate_fields(&self) -> Result<()> {
        check_range("score_max", self.score_max, 1.0e-6, 1.0e6)?;
        check_range("bs.x_m", self.bs.x_m, -1.0e5, 1.0e5)?;
        check_range("bs.y_m", self.bs.y_m, -1.0e5, 1.0e5)?;
        check_count("bs.tokens", u64::from(self.bs.tokens), 1, MAX_TOKENS)?;
        self.bs.curve.validate("bs.curve")?;
        // Delay reduction is measured against generating everything at the BS, and the timing observation
        // counts time in units of the BS's delay: a BS that generates instantly makes both undefined.
        let bs_delay_s = self.bs.curve.delay_s(f64::from(self.bs.tokens));
        if bs_delay_s < MIN_BS_DELAY_S {
            return Err(Error::new(
                "bs.curve.psi_s",
                format!(
                    "gives the BS a generation delay of {bs_delay_s} s at its {} tokens; it must be at least \
                     {MIN_BS_DELAY_S} s (delay reduction is measured against it)",
                    self.bs.tokens
                ),
            ));
        }
        self.token_chain.validate("token_chain")?;
        check_count("service_providers", self.service_providers.len() as u64, 0, MAX_SERVICE_PROVIDERS)
            .map_err(|e| Error::new(e.field, format!("list length {}", e.problem)))?;
        for (u, sp) in self.service_providers.iter().enumerate() {
            let field = format!("service_providers[{u}]");
            check_range(&format!("{field}.x_m"), sp.x_m, -1.0e5, 1.0e5)?;
            check_range(&format!("{field}.y_m"), sp.y_m, -1.0e5, 1.0e5)?;
            sp.curve.validate(&format!("{field}.curve"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{parse, to_json};

    fn sample() -> TotParams {
        TotParams {
            schema: TotParams::SCHEMA.to_owned(),
            source: Some("test".into()),
            score_max: TotParams::PAPER_SCORE_MAX,
            bs: TotParams::paper_bs(100.0),
            token_chain: TokenChain::paper(),
            service_providers: vec![ServiceProvider {
                x_m: 12.5,
                y_m: 80.0,
                curve: Curve { sigma: 42.0, rho_per_token: 0.045, eta_s_per_token: 0.03, psi_s: 0.1 },
            }],
        }
    }

    #[test]
    fn curves_follow_the_paper_formulas() {
        let bs = TotParams::paper_bs(100.0);
        // 0.05 · 150 + 0.1 = 7.6 s; 10 − 50·e^(−12.75) = 10 − 50 · 2.9023e−6 = 9.99985488
        assert_eq!(bs.curve.delay_s(150.0), 7.6);
        assert!((bs.curve.score(10.0, 150.0) - 9.999_854_884).abs() < 1e-9);
        assert_eq!((bs.x_m, bs.y_m), (50.0, 50.0));
    }

    #[test]
    fn download_then_upload_is_lossless() {
        let p = sample();
        let text = to_json(&p);
        assert_eq!(parse::<TotParams>(&text).unwrap(), p);
        assert_eq!(to_json(&parse::<TotParams>(&text).unwrap()), text);
    }

    #[test]
    fn validation_names_the_json_path() {
        let bad = |f: fn(&mut TotParams)| {
            let mut p = sample();
            f(&mut p);
            p.validate().unwrap_err()
        };
        assert_eq!(bad(|p| p.score_max = 0.0).field, "score_max");
        assert_eq!(bad(|p| p.bs.tokens = 0).field, "bs.tokens");
        assert_eq!(bad(|p| p.bs.curve.rho_per_token = -0.1).field, "bs.curve.rho_per_token");
        assert_eq!(bad(|p| p.service_providers[0].curve.sigma = f64::NAN).field, "service_providers[0].curve.sigma");
        assert_eq!(bad(|p| p.service_providers[0].y_m = f64::INFINITY).field, "service_providers[0].y_m");
        assert_eq!(bad(|p| p.token_chain.tokens.clear()).field, "token_chain.tokens");
        assert_eq!(bad(|p| p.token_chain.tokens[2] = 0).field, "token_chain.tokens[2]");
        assert_eq!(
            bad(|p| {
                p.token_chain.transition.pop();
            })
            .field,
            "token_chain.transition"
        );
        assert_eq!(bad(|p| p.token_chain.transition[1].push(0.0)).field, "token_chain.transition[1]");
        assert_eq!(bad(|p| p.token_chain.transition[3][0] = -0.1).field, "token_chain.transition[3][0]");
        let sum = bad(|p| p.token_chain.transition[2] = vec![0.5, 0.25, 0.125, 0.0]);
        assert_eq!(sum.to_string(), "token_chain.transition[2]: must sum to 1, got 0.875");
        assert_eq!(bad(|p| p.service_providers = vec![p.service_providers[0]; 13]).field, "service_providers");

        let typo = parse::<TotParams>(&to_json(&sample()).replace("\"psi_s\"", "\"psi\"")).unwrap_err();
        assert_eq!(typo.field, "bs.curve.psi");
        assert!(typo.problem.contains("psi"), "{typo}");
        let other = parse::<TotParams>(r#"{"schema": "asp/v1"}"#).unwrap_err();
        assert_eq!(other.field, "schema");
    }

    #[test]
    fn a_world_without_service_providers_is_valid() {
        let mut p = sample();
        p.service_providers.clear();
        p.validate().unwrap();
    }
}
