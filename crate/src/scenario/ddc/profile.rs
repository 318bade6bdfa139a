//! The profile as the simulator reads it: flat tables indexed by condition, resolution level, quality
//! level and step count, built once from a validated [`DdcParams`].

use serde::Serialize;

use super::{Condition, DdcParams, STEP_CHOICES};

/// A user-side configuration ν = (λ, α, β), with α and β as indices into the profile's levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Setting {
    /// The visual condition λ.
    pub condition: Condition,
    /// Index of the resolution level α.
    pub alpha: usize,
    /// Index of the quality level β.
    pub beta: usize,
}

/// Which score a frontier or a preference is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Perceptual similarity `q_I`.
    Perceptual = 0,
    /// Prompt alignment `q_T`.
    Prompt = 1,
}

/// The quality and size tables of a profile.
#[derive(Debug, Clone)]
pub struct Profile {
    alphas: Vec<f64>,
    betas: Vec<f64>,
    /// `kb[(c·A + a)·B + b]`.
    kb: Vec<f64>,
    /// `scores[((c·A + a)·B + b)·S + s] = [q_I, q_T]`.
    scores: Vec<[f64; 2]>,
    /// Raw source image, KB.
    pub raw_image_kb: f64,
    /// Intermediate latent, KB.
    pub latent_kb: f64,
    /// Final image, KB.
    pub image_kb: f64,
    /// Condition extraction at the edge's speed, s.
    pub extraction_s: f64,
}

impl Profile {
    /// The tables of a validated parameter file.
    pub fn new(params: &DdcParams) -> Self {
        let mut kb = Vec::new();
        let mut scores = Vec::new();
        for c in &params.conditions {
            for (a, row) in c.kb.iter().enumerate() {
                for (b, &size) in row.iter().enumerate() {
                    kb.push(size);
                    scores.extend(c.q_i[a][b].iter().zip(&c.q_t[a][b]).map(|(&qi, &qt)| [qi, qt]));
                }
            }
        }
        Self {
            alphas: params.alphas.clone(),
            betas: params.betas.clone(),
            kb,
            scores,
            raw_image_kb: params.raw_image_kb,
            latent_kb: params.latent_kb,
            image_kb: params.image_kb,
            extraction_s: params.extraction_s,
        }
    }

    /// The resolution levels α, increasing.
    pub fn alphas(&self) -> &[f64] {
        &self.alphas
    }

    /// The quality levels β, increasing.
    pub fn betas(&self) -> &[f64] {
        &self.betas
    }

    fn cell(&self, s: Setting) -> usize {
        (s.condition.index() * self.alphas.len() + s.alpha) * self.betas.len() + s.beta
    }

    /// Size of the condition image under `s`, KB.
    pub fn kb(&self, s: Setting) -> f64 {
        self.kb[self.cell(s)]
    }

    /// Score `metric` under `s` after `STEP_CHOICES[step]` denoising steps.
    pub fn score(&self, s: Setting, step: usize, metric: Metric) -> f64 {
        self.scores[self.cell(s) * STEP_CHOICES.len() + step][metric as usize]
    }

    /// The preference-weighted quality `Q = ω_I·q_I + (1 − ω_I)·q_T` (eq. 1).
    pub fn quality(&self, s: Setting, step: usize, omega_i: f64) -> f64 {
        let [q_i, q_t] = self.scores[self.cell(s) * STEP_CHOICES.len() + step];
        omega_i * q_i + (1.0 - omega_i) * q_t
    }

    /// The uncompressed setting of `condition` (highest α and β).
    pub fn uncompressed(&self, condition: Condition) -> Setting {
        Setting { condition, alpha: self.alphas.len() - 1, beta: self.betas.len() - 1 }
    }

    /// Every setting: conditions in order, then α, then β increasing.
    pub fn settings(&self) -> impl Iterator<Item = Setting> + '_ {
        Condition::ALL.into_iter().flat_map(move |condition| {
            (0..self.alphas.len())
                .flat_map(move |alpha| (0..self.betas.len()).map(move |beta| Setting { condition, alpha, beta }))
        })
    }
}
