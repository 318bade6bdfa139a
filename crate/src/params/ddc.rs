//! The `ddc` parameter file, `{"schema": "ddc/v1"}`: the generation-quality profile of the four visual
//! conditions (scores and sizes for every resolution level α, quality level β and step count T) and the
//! measured sizes and times that go with it.
//!
//! The paper (Kong et al., seed 002) publishes its profile only as plots, so the default is a synthetic
//! profile ([`DdcParams::synthetic`]) built to keep every property the paper reports (see
//! `design/environments.md`, section `ddc`). Users bring their own measurements as this JSON file or as a
//! CSV table `condition,alpha,beta,steps,q_i,q_t,kb` ([`parse_ddc_profile_csv`], [`profile_csv`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ParamFile;
use super::csv::Table;
use crate::error::{Error, Result, check_range};

/// The denoising step counts the edge may choose for a user (the six choices of the action); a profile
/// has scores for exactly these.
pub const STEP_CHOICES: [u32; 6] = [5, 10, 15, 20, 25, 30];
/// Most resolution or quality levels a profile may have.
pub const MAX_LEVELS: usize = 32;
/// The CSV header of a profile table.
pub const CSV_COLUMNS: [&str; 7] = ["condition", "alpha", "beta", "steps", "q_i", "q_t", "kb"];

/// A visual condition type (the paper's λ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Canny edge map: strong perceptual similarity, sensitive to resolution.
    Canny,
    /// Holistically-nested edge detection map: strong perceptual similarity.
    Hed,
    /// Depth map: strong prompt alignment, sensitive to quality level.
    Depth,
    /// Semantic segmentation map: strong prompt alignment.
    Seg,
}

impl Condition {
    /// The four conditions, in the order a profile lists them (and the observation's one-hot order).
    pub const ALL: [Condition; 4] = [Condition::Canny, Condition::Hed, Condition::Depth, Condition::Seg];

    /// Its name in files.
    pub fn name(self) -> &'static str {
        match self {
            Condition::Canny => "canny",
            Condition::Hed => "hed",
            Condition::Depth => "depth",
            Condition::Seg => "seg",
        }
    }

    /// Its position in [`Condition::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The condition called `name` (any letter case).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name().eq_ignore_ascii_case(name))
    }
}

/// One condition's measurements: sizes per (α, β) and both scores per (α, β, T).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionProfile {
    /// Which condition.
    pub condition: Condition,
    /// Size of the compressed condition image in KB, `kb[alpha][beta]` (it does not depend on the steps).
    pub kb: Vec<Vec<f64>>,
    /// Perceptual similarity (DreamSim, normalised, higher is better) `q_i[alpha][beta][steps]`, in [0, 1].
    pub q_i: Vec<Vec<Vec<f64>>>,
    /// Prompt alignment (ImageReward, normalised, higher is better) `q_t[alpha][beta][steps]`, in [0, 1].
    pub q_t: Vec<Vec<Vec<f64>>>,
}

/// The `ddc` world: `{"schema": "ddc/v1", "source": "...", ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DdcParams {
    /// Always `"ddc/v1"`.
    pub schema: String,
    /// Where the numbers come from (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Size of a raw source image (what AaaS uploads), KB.
    pub raw_image_kb: f64,
    /// Size of an intermediate latent (4×64×64 fp16), sent down when the phone finishes the denoising, KB.
    pub latent_kb: f64,
    /// Size of a final image, sent down when the edge runs every step, KB.
    pub image_kb: f64,
    /// Time to extract a visual condition at the edge's speed, s (a phone at `c` times the edge's speed
    /// takes `extraction_s / c`).
    pub extraction_s: f64,
    /// Resolution levels α, increasing, in (0, 1].
    pub alphas: Vec<f64>,
    /// Quality levels β, increasing, in (0, 1].
    pub betas: Vec<f64>,
    /// Step counts the scores are given for: exactly [`STEP_CHOICES`].
    pub steps: Vec<u32>,
    /// The four conditions, in the order canny, hed, depth, seg.
    pub conditions: Vec<ConditionProfile>,
}

/// The synthetic profile's shape for one condition (see [`DdcParams::synthetic`]).
struct Shape {
    q_i_max: f64,
    q_t_max: f64,
    alpha_loss: f64,
    beta_loss: f64,
    full_kb: f64,
}

/// Canny and HED lead on `q_I`, Depth and Seg on `q_T` (the paper's Fig. 2); Canny loses most to a low
/// resolution, Depth to a low quality level, HED and Seg sit in between (Figs. 3 and 7); the uncompressed
/// sizes average 88 KB (Fig. 12b). Canny's resolution loss is sized by Fig. 4: from 20 % to 80 % compression
/// (α 1 → 0.25 at β = 0.8) at 20 steps its DS score drops 12 % and its IR score 10 %; with one loss for both
/// scores that is 0.16·(1 − 0.25)² ≈ 0.09, 11.6 % of `q_I` and 12.8 % of `q_T`. The other levels are not
/// published; they are set so that the paper's heuristics reach its Fig. 9 satisfaction rates on this model
/// (`docs/results/ddc-baselines.md`): HED is the best single condition (Fig. 12a), each condition's weaker
/// score is 0.035–0.08 below its stronger one, and compression costs HED, Depth and Seg at most ≈ 0.09 of
/// either score.
const SHAPES: [Shape; 4] = [
    Shape { q_i_max: 0.83, q_t_max: 0.75, alpha_loss: 0.16, beta_loss: 0.04, full_kb: 72.0 },
    Shape { q_i_max: 0.85, q_t_max: 0.815, alpha_loss: 0.065, beta_loss: 0.06, full_kb: 104.0 },
    Shape { q_i_max: 0.755, q_t_max: 0.825, alpha_loss: 0.025, beta_loss: 0.085, full_kb: 96.0 },
    Shape { q_i_max: 0.78, q_t_max: 0.85, alpha_loss: 0.055, beta_loss: 0.07, full_kb: 80.0 },
];
/// Score still missing at `T` steps is `STEPS_GAIN·(1 + COMPRESSION_GAIN·(1 − αβ))·e^(−T/STEPS_SCALE)`.
/// Fitted so that Canny's `q_T` gains 12 % from 5 to 20 steps at 20 % compression (α = 1, β = 0.8) and
/// 19 % at 80 % (α = 0.25, β = 0.8), the paper's Fig. 4.
const STEPS_GAIN: f64 = 0.156;
/// See [`STEPS_GAIN`].
const COMPRESSION_GAIN: f64 = 0.555;
/// See [`STEPS_GAIN`].
const STEPS_SCALE: f64 = 8.0;

fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = libm::pow(10.0, f64::from(decimals));
    (value * scale).round() / scale
}

impl DdcParams {
    /// The tag files carry.
    pub const SCHEMA_TAG: &'static str = "ddc/v1";

    /// The default profile: synthetic, keeping the paper's published properties. For condition λ,
    /// `q = Qmax_λ − A_λ(1−α)² − B_λ(1−β)² − G·(1 + κ(1−αβ))·e^(−T/8)` clamped to [0, 1] (4 decimals) with
    /// `G = 0.156`, `κ = 0.555`, and `D = D0_λ·α²·(0.1 + 0.9·β^1.5)` KB (2 decimals); α ∈ {0.125, …, 1},
    /// β ∈ {0.2, …, 1}; raw image 335 KB, latent 32 KB, image 350 KB, extraction 0.02 s at the edge.
    pub fn synthetic() -> Self {
        let alphas = vec![0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0];
        let betas = vec![0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
        let conditions = Condition::ALL
            .iter()
            .zip(&SHAPES)
            .map(|(&condition, shape)| {
                let score = |max: f64, alpha: f64, beta: f64, steps: u32| {
                    let missing = STEPS_GAIN
                        * (1.0 + COMPRESSION_GAIN * (1.0 - alpha * beta))
                        * libm::exp(-f64::from(steps) / STEPS_SCALE);
                    let q = max
                        - shape.alpha_loss * (1.0 - alpha) * (1.0 - alpha)
                        - shape.beta_loss * (1.0 - beta) * (1.0 - beta)
                        - missing;
                    round_to(q.clamp(0.0, 1.0), 4)
                };
                let grid = |max: f64| -> Vec<Vec<Vec<f64>>> {
                    alphas
                        .iter()
                        .map(|&a| betas.iter().map(|&b| STEP_CHOICES.map(|t| score(max, a, b, t)).to_vec()).collect())
                        .collect()
                };
                ConditionProfile {
                    condition,
                    kb: alphas
                        .iter()
                        .map(|&a| {
                            betas
                                .iter()
                                .map(|&b| round_to(shape.full_kb * a * a * (0.1 + 0.9 * libm::pow(b, 1.5)), 2))
                                .collect()
                        })
                        .collect(),
                    q_i: grid(shape.q_i_max),
                    q_t: grid(shape.q_t_max),
                }
            })
            .collect();
        Self {
            schema: Self::SCHEMA_TAG.to_owned(),
            source: Some(
                "synthetic profile keeping the published properties of Kong et al. (TMC 2026), Figs. 2-4, 7, 12".into(),
            ),
            raw_image_kb: 335.0,
            latent_kb: 32.0,
            image_kb: 350.0,
            extraction_s: 0.02,
            alphas,
            betas,
            steps: STEP_CHOICES.to_vec(),
            conditions,
        }
    }
}

/// Levels must be increasing, in (0, 1], and at most [`MAX_LEVELS`] of them.
fn check_levels(field: &str, levels: &[f64]) -> Result<()> {
    if levels.is_empty() || levels.len() > MAX_LEVELS {
        return Err(Error::new(field, format!("list length must be between 1 and {MAX_LEVELS}, got {}", levels.len())));
    }
    for (i, &level) in levels.iter().enumerate() {
        check_range(&format!("{field}[{i}]"), level, 1.0e-6, 1.0)?;
        if i > 0 && level <= levels[i - 1] {
            return Err(Error::new(
                format!("{field}[{i}]"),
                format!("must be greater than the level before it ({}), got {level}", levels[i - 1]),
            ));
        }
    }
    Ok(())
}

fn check_len(field: &str, len: usize, expected: usize, what: &str) -> Result<()> {
    if len != expected {
        return Err(Error::new(field, format!("must have {expected} entries (one per {what}), got {len}")));
    }
    Ok(())
}

impl ConditionProfile {
    fn validate(&self, field: &str, alphas: usize, betas: usize) -> Result<()> {
        check_len(&format!("{field}.kb"), self.kb.len(), alphas, "alpha")?;
        for (a, row) in self.kb.iter().enumerate() {
            check_len(&format!("{field}.kb[{a}]"), row.len(), betas, "beta")?;
            for (b, &kb) in row.iter().enumerate() {
                check_range(&format!("{field}.kb[{a}][{b}]"), kb, 1.0e-3, 1.0e6)?;
            }
        }
        for (name, scores) in [("q_i", &self.q_i), ("q_t", &self.q_t)] {
            check_len(&format!("{field}.{name}"), scores.len(), alphas, "alpha")?;
            for (a, rows) in scores.iter().enumerate() {
                check_len(&format!("{field}.{name}[{a}]"), rows.len(), betas, "beta")?;
                for (b, row) in rows.iter().enumerate() {
                    check_len(&format!("{field}.{name}[{a}][{b}]"), row.len(), STEP_CHOICES.len(), "step count")?;
                    for (s, &q) in row.iter().enumerate() {
                        check_range(&format!("{field}.{name}[{a}][{b}][{s}]"), q, 0.0, 1.0)?;
                    }
                }
            }
        }
        Ok(())
    }
}

impl ParamFile for DdcParams {
    const SCHEMA: &'static str = Self::SCHEMA_TAG;

    fn schema_tag(&self) -> &str {
        &self.schema
    }

    fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    fn validate_fields(&self) -> Result<()> {
        check_range("raw_image_kb", self.raw_image_kb, 1.0e-3, 1.0e6)?;
        check_range("latent_kb", self.latent_kb, 1.0e-3, 1.0e6)?;
        check_range("image_kb", self.image_kb, 1.0e-3, 1.0e6)?;
        check_range("extraction_s", self.extraction_s, 0.0, 1.0e4)?;
        check_levels("alphas", &self.alphas)?;
        check_levels("betas", &self.betas)?;
        if self.steps != STEP_CHOICES {
            return Err(Error::new(
                "steps",
                format!("must be {STEP_CHOICES:?} (the edge's step choices), got {:?}", self.steps),
            ));
        }
        check_len("conditions", self.conditions.len(), Condition::ALL.len(), "condition: canny, hed, depth, seg")?;
        for (i, (profile, expected)) in self.conditions.iter().zip(Condition::ALL).enumerate() {
            if profile.condition != expected {
                return Err(Error::new(
                    format!("conditions[{i}].condition"),
                    format!("must be \"{}\" (the order is canny, hed, depth, seg)", expected.name()),
                ));
            }
            profile.validate(&format!("conditions[{i}]"), self.alphas.len(), self.betas.len())?;
        }
        Ok(())
    }
}

/// One CSV data row, read and checked.
struct Row {
    row: usize,
    condition: Condition,
    alpha: f64,
    beta: f64,
    step: usize,
    q_i: f64,
    q_t: f64,
    kb: f64,
}

fn read_row(table: &Table, row: usize) -> Result<Row> {
    let name = table.text(row, "condition");
    let condition = Condition::parse(name).ok_or_else(|| {
        let known: Vec<&str> = Condition::ALL.iter().map(|c| c.name()).collect();
        Error::new(
            table.locate(row, "condition"),
            format!("unknown condition '{name}' (expected one of: {})", known.join(", ")),
        )
    })?;
    let level = |column: &str| -> Result<f64> {
        let value = table.number(row, column)?;
        check_range(&table.locate(row, column), value, 1.0e-6, 1.0)?;
        Ok(value)
    };
    let (alpha, beta) = (level("alpha")?, level("beta")?);
    let steps = table.number(row, "steps")?;
    let step = STEP_CHOICES.iter().position(|&t| f64::from(t) == steps).ok_or_else(|| {
        Error::new(table.locate(row, "steps"), format!("must be one of {STEP_CHOICES:?}, got {steps}"))
    })?;
    let score = |column: &str| -> Result<f64> {
        let value = table.number(row, column)?;
        check_range(&table.locate(row, column), value, 0.0, 1.0)?;
        Ok(value)
    };
    let (q_i, q_t) = (score("q_i")?, score("q_t")?);
    let kb = table.number(row, "kb")?;
    check_range(&table.locate(row, "kb"), kb, 1.0e-3, 1.0e6)?;
    Ok(Row { row, condition, alpha, beta, step, q_i, q_t, kb })
}

/// The distinct values of `values`, increasing, as a level list with each value's index.
fn levels_of(values: impl Iterator<Item = f64>) -> (Vec<f64>, BTreeMap<u64, usize>) {
    let mut levels: Vec<f64> = values.collect();
    levels.sort_by(f64::total_cmp);
    levels.dedup();
    let index = levels.iter().enumerate().map(|(i, v)| (v.to_bits(), i)).collect();
    (levels, index)
}

/// Reads a profile table `condition,alpha,beta,steps,q_i,q_t,kb` (one row per condition, α, β and step
/// count of the full grid; any row order; other columns are ignored). The sizes, latent and extraction
/// time take the default profile's values. Errors name the line and column.
pub fn parse_ddc_profile_csv(text: &str) -> Result<DdcParams> {
    let table = Table::parse(text, &CSV_COLUMNS, 1)?;
    let rows = (0..table.len()).map(|r| read_row(&table, r)).collect::<Result<Vec<_>>>()?;
    let (alphas, alpha_index) = levels_of(rows.iter().map(|r| r.alpha));
    let (betas, beta_index) = levels_of(rows.iter().map(|r| r.beta));
    for (name, levels) in [("alpha", &alphas), ("beta", &betas)] {
        if levels.len() > MAX_LEVELS {
            return Err(Error::new(
                "file",
                format!("has {} {name} levels; at most {MAX_LEVELS} are allowed", levels.len()),
            ));
        }
    }
    let (na, nb, ns) = (alphas.len(), betas.len(), STEP_CHOICES.len());
    // Which row filled each (condition, alpha, beta, steps) cell, and the row that first gave each size.
    let mut filled: Vec<Option<usize>> = vec![None; Condition::ALL.len() * na * nb * ns];
    let mut size_row: Vec<Option<usize>> = vec![None; Condition::ALL.len() * na * nb];
    let mut conditions: Vec<ConditionProfile> = Condition::ALL
        .iter()
        .map(|&condition| ConditionProfile {
            condition,
            kb: vec![vec![0.0; nb]; na],
            q_i: vec![vec![vec![0.0; ns]; nb]; na],
            q_t: vec![vec![vec![0.0; ns]; nb]; na],
        })
        .collect();
    for row in &rows {
        let (c, a, b) = (row.condition.index(), alpha_index[&row.alpha.to_bits()], beta_index[&row.beta.to_bits()]);
        let cell = ((c * na + a) * nb + b) * ns + row.step;
        if let Some(first) = filled[cell] {
            return Err(Error::new(
                format!("line {}", table.line(row.row)),
                format!(
                    "repeats the row for {} alpha {} beta {} steps {} (line {})",
                    row.condition.name(),
                    row.alpha,
                    row.beta,
                    STEP_CHOICES[row.step],
                    table.line(first)
                ),
            ));
        }
        filled[cell] = Some(row.row);
        let size_cell = (c * na + a) * nb + b;
        match size_row[size_cell] {
            Some(first) if rows[first].kb != row.kb => {
                return Err(Error::new(
                    table.locate(row.row, "kb"),
                    format!(
                        "must equal the size on line {} ({} KB): a condition's size does not depend on the steps",
                        table.line(first),
                        rows[first].kb
                    ),
                ));
            }
            Some(_) => {}
            None => size_row[size_cell] = Some(row.row),
        }
        let profile = &mut conditions[c];
        profile.kb[a][b] = row.kb;
        profile.q_i[a][b][row.step] = row.q_i;
        profile.q_t[a][b][row.step] = row.q_t;
    }
    if let Some(cell) = filled.iter().position(Option::is_none) {
        let (rest, s) = (cell / ns, cell % ns);
        let (rest, b) = (rest / nb, rest % nb);
        let (c, a) = (rest / na, rest % na);
        return Err(Error::new(
            "file",
            format!(
                "has no row for {} alpha {} beta {} steps {} (every condition needs every alpha, beta and step count)",
                Condition::ALL[c].name(),
                alphas[a],
                betas[b],
                STEP_CHOICES[s]
            ),
        ));
    }
    let defaults = DdcParams::synthetic();
    let params = DdcParams {
        schema: DdcParams::SCHEMA_TAG.to_owned(),
        source: Some("profile CSV".into()),
        alphas,
        betas,
        conditions,
        ..defaults
    };
    params.validate()?;
    Ok(params)
}

/// The profile of `params` as the CSV table [`parse_ddc_profile_csv`] reads (conditions, then α, β and
/// steps increasing).
pub fn profile_csv(params: &DdcParams) -> String {
    let mut out = CSV_COLUMNS.join(",") + "\n";
    for profile in &params.conditions {
        for (a, &alpha) in params.alphas.iter().enumerate() {
            for (b, &beta) in params.betas.iter().enumerate() {
                for (s, &steps) in params.steps.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "{},{alpha},{beta},{steps},{},{},{}",
                        profile.condition.name(),
                        profile.q_i[a][b][s],
                        profile.q_t[a][b][s],
                        profile.kb[a][b]
                    );
                }
            }
        }
    }
    out
}
