use super::*;
use crate::params::tot::TotParams;
use crate::rng::{Rng, Stream};

fn within(value: f64, truth: f64, rel: f64) -> bool {
    (value - truth).abs() <= rel * truth.abs()
}

/// A `tokens,delay_s,score` table from known curves with Gaussian noise of the given sizes.
fn tot_csv(curve: Curve, tokens: &[f64], repeats: usize, delay_sd: f64, score_sd: f64, seed: u64) -> String {
    let mut rng = Rng::new(seed, Stream::Episode);
    let mut text = String::from("tokens,delay_s,score\n");
    for &c in tokens {
        for _ in 0..repeats {
            let delay = (curve.delay_s(c) + delay_sd * rng.normal()).max(0.0);
            let score = curve.score(10.0, c) + score_sd * rng.normal();
            text.push_str(&format!("{c},{delay},{score}\n"));
        }
    }
    text
}

#[test]
fn recovers_the_paper_bs_curves_from_noisy_data() {
    let truth = TotParams::paper_bs(100.0).curve; // σ 50, ρ 0.085, η 0.05, ψ 0.1
    let tokens: Vec<f64> = (1..=12).map(|k| 10.0 * f64::from(k)).collect();
    let text = tot_csv(truth, &tokens, 4, 0.01, 0.1, 1);
    let fit = fit_tot_csv(&text, 10.0).unwrap();
    assert_eq!(fit.points, 48);
    let q = fit.quality;
    assert!(within(q.sigma, 50.0, 0.05), "σ = {}", q.sigma);
    assert!(within(q.rho_per_token, 0.085, 0.05), "ρ = {}", q.rho_per_token);
    assert!(q.r_squared > 0.99, "R² {}", q.r_squared);
    let d = fit.delay;
    assert!(within(d.eta_s_per_token, 0.05, 0.05), "η = {}", d.eta_s_per_token);
    assert!(within(d.psi_s, 0.1, 0.05), "ψ = {}", d.psi_s);
    assert!(d.r_squared > 0.99, "R² {}", d.r_squared);
    // The sampled curve spans the data and follows the fitted formulas.
    assert_eq!(fit.curve.len(), CURVE_SAMPLES);
    assert_eq!((fit.curve[0].tokens, fit.curve[CURVE_SAMPLES - 1].tokens), (10.0, 120.0));
    let mid = fit.curve[50];
    assert_eq!(mid.tokens, 65.0);
    assert_eq!(mid.delay_s, d.eta_s_per_token * 65.0 + d.psi_s);
    assert_eq!(fit.curve_params().score(10.0, 65.0), mid.score);
    fit.curve_params().validate("curve").unwrap();
    // It serialises for the page.
    let json = serde_json::to_value(&fit).unwrap();
    assert_eq!(json["quality"]["sigma"], q.sigma);
    assert_eq!(json["curve"].as_array().unwrap().len(), CURVE_SAMPLES);
}

#[test]
fn recovers_an_sp_curve_over_the_papers_token_counts() {
    // The paper's measured Qwen curve (σ 49.13, ρ 0.046, η 0.025, ψ 0.062) at its token counts 50–200.
    let truth = Curve { sigma: 49.13, rho_per_token: 0.046, eta_s_per_token: 0.025, psi_s: 0.062 };
    let tokens = [50.0, 75.0, 100.0, 125.0, 150.0, 175.0, 200.0];
    let fit = fit_tot_csv(&tot_csv(truth, &tokens, 10, 0.002, 0.02, 2), 10.0).unwrap();
    assert!(within(fit.quality.sigma, 49.13, 0.05), "{:?}", fit.quality);
    assert!(within(fit.quality.rho_per_token, 0.046, 0.05), "{:?}", fit.quality);
    assert!(within(fit.delay.eta_s_per_token, 0.025, 0.05), "{:?}", fit.delay);
    assert!(within(fit.delay.psi_s, 0.062, 0.05), "{:?}", fit.delay);
}

#[test]
fn exact_data_fit_exactly() {
    let truth = Curve { sigma: 30.0, rho_per_token: 0.04, eta_s_per_token: 0.03, psi_s: 0.08 };
    let fit = fit_tot_csv(&tot_csv(truth, &[20.0, 40.0, 60.0, 80.0, 100.0], 1, 0.0, 0.0, 0), 10.0).unwrap();
    assert!(within(fit.quality.sigma, 30.0, 1e-6) && within(fit.quality.rho_per_token, 0.04, 1e-6));
    assert!(within(fit.delay.eta_s_per_token, 0.03, 1e-9) && within(fit.delay.psi_s, 0.08, 1e-9));
    assert!(fit.quality.r_squared > 1.0 - 1e-9 && fit.delay.r_squared > 1.0 - 1e-9);
}

#[test]
fn fits_return_the_measurements_in_file_order() {
    // The page plots these under the fitted curve; a comment line and a blank line are not rows.
    let fit = fit_asp_csv("steps,quality\n# measured\n40,0.5\n\n10,0\n20,0.25\n").unwrap();
    let data: Vec<(f64, f64)> = fit.data.iter().map(|p| (p.steps, p.quality)).collect();
    assert_eq!(data, [(40.0, 0.5), (10.0, 0.0), (20.0, 0.25)]);
    let fit = fit_tot_csv("tokens,delay_s,score\n30,1.5,7\n10,0.5,3\n20,1,5\n", 10.0).unwrap();
    let data: Vec<(f64, f64, f64)> = fit.data.iter().map(|p| (p.tokens, p.delay_s, p.score)).collect();
    assert_eq!(data, [(30.0, 1.5, 7.0), (10.0, 0.5, 3.0), (20.0, 1.0, 5.0)]);
}

#[test]
fn delay_line_stays_non_negative() {
    // Delays that fall with tokens: the best line with η ≥ 0 is flat at their mean, 2.
    let fit = fit_line(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]);
    assert_eq!((fit.eta_s_per_token, fit.psi_s), (0.0, 2.0));
    assert_eq!(fit.r_squared, 0.0);
    // A line through (0, −1): through the origin instead, η = Σxy/Σx² = (1 + 6 + 15)/14.
    let fit = fit_line(&[1.0, 2.0, 3.0], &[1.0, 3.0, 5.0]);
    assert_eq!((fit.eta_s_per_token, fit.psi_s), (22.0 / 14.0, 0.0));
    // Constant delays fit exactly (R² = 1 by convention).
    let fit = fit_line(&[1.0, 2.0, 3.0], &[0.5, 0.5, 0.5]);
    assert_eq!((fit.eta_s_per_token, fit.psi_s, fit.r_squared), (0.0, 0.5, 1.0));
}

fn asp_csv(ramp: Ramp, steps: impl Iterator<Item = f64>, sd: f64, seed: u64) -> String {
    let mut rng = Rng::new(seed, Stream::Episode);
    let mut text = String::from("steps,quality\n");
    for s in steps {
        text.push_str(&format!("{s},{}\n", ramp.value(s) + sd * rng.normal()));
    }
    text
}

#[test]
fn recovers_an_asp_ramp() {
    let truth = Ramp { a_x: 40.0, b_x: 200.0, height: 0.8 };
    let steps = (0..=60).flat_map(|k| [5.0 * f64::from(k); 2]);
    let fit = fit_asp_csv(&asp_csv(truth, steps, 0.03, 3)).unwrap();
    assert_eq!(fit.points, 122);
    assert!((fit.a_x - 40.0).abs() < 5.0, "{fit:?}");
    assert!((fit.b_x - 200.0).abs() < 5.0, "{fit:?}");
    assert!((fit.height - 0.8).abs() < 0.02, "{fit:?}");
    assert!(fit.r_squared > 0.98, "{}", fit.r_squared);
    // The curve spans the data, includes both breakpoints, and is sorted.
    assert_eq!(fit.curve.len(), CURVE_SAMPLES + 2);
    assert!(fit.curve.windows(2).all(|w| w[0].steps <= w[1].steps));
    assert!(fit.curve.iter().any(|p| p.steps == fit.b_x && (p.quality - fit.height).abs() < 1e-12));
    let p = fit.provider(500, 0.1);
    assert_eq!((p.a_x, p.b_x, p.a_y, p.b_y), (fit.a_x, fit.b_x, 0.1, 0.1 + fit.height));
    p.validate("provider").unwrap();
}

#[test]
fn recovers_an_asp_ramp_that_starts_below_the_data() {
    // asp tasks need 100–250 steps, while a_x lies in 0–90: the start is found by extrapolating the ramp.
    let truth = Ramp { a_x: 40.0, b_x: 200.0, height: 0.6 };
    let steps = (10..=25).flat_map(|k| [10.0 * f64::from(k); 3]);
    let fit = fit_asp_csv(&asp_csv(truth, steps, 0.005, 4)).unwrap();
    assert!((fit.a_x - 40.0).abs() < 5.0, "{fit:?}");
    assert!((fit.b_x - 200.0).abs() < 3.0, "{fit:?}");
    assert!((fit.height - 0.6).abs() < 0.01, "{fit:?}");
    assert!(fit.r_squared > 0.99);
    // Breakpoints outside the data are not sampled.
    assert_eq!(fit.curve.len(), CURVE_SAMPLES + 1);
}

#[test]
fn exact_ramp_fits_exactly_and_a_x_never_goes_below_zero() {
    let truth = Ramp { a_x: 30.0, b_x: 90.0, height: 2.0 };
    let fit = fit_asp_csv(&asp_csv(truth, (0..=24).map(|k| 5.0 * f64::from(k)), 0.0, 0)).unwrap();
    assert!((fit.a_x - 30.0).abs() < 1e-6 && (fit.b_x - 90.0).abs() < 1e-6, "{fit:?}");
    assert!((fit.height - 2.0).abs() < 1e-9 && fit.r_squared > 1.0 - 1e-12);
    // Data rising from 10 steps on with utility already positive there would need a_x < 0.
    let fit = fit_asp_csv("steps,quality\n10,1\n20,2\n30,3\n40,4\n").unwrap();
    assert_eq!(fit.a_x, 0.0);
    assert!(fit.b_x > fit.a_x);
}

#[test]
fn malformed_csv_names_line_and_column() {
    let err = |text: &str| fit_tot_csv(text, 10.0).unwrap_err().to_string();
    assert_eq!(
        err("tokens,delay_s\n1,2\n2,3\n3,4\n"),
        "line 1: missing column 'score' (the header has: tokens, delay_s)"
    );
    assert_eq!(
        err("tokens,delay_s,score\n1,2,3\n2,abc,4\n3,4,5\n"),
        "line 3, column 2 (delay_s): 'abc' is not a number"
    );
    assert_eq!(err("tokens,delay_s,score\n1,2,3\n2,3,4\n"), "file: needs at least 3 data rows, got 2");
    assert_eq!(
        err("tokens,delay_s,score\n1,2,NaN\n2,3,4\n3,4,5\n"),
        "line 2, column 3 (score): must be a finite number, got 'NaN'"
    );
    assert_eq!(err("tokens,delay_s,score,tokens\n1,2,3,4\n"), "line 1, column 4: duplicate column 'tokens'");
    assert_eq!(
        err("# measured on a 4090\ntokens,delay_s,score\n1,2,3\n-5,3,4\n3,4,5\n"),
        "line 4, column 1 (tokens): must be between 0 and 1000000, got -5"
    );
    assert_eq!(err("tokens,delay_s,score\n1,2,3\n2,3\n3,4,5\n"), "line 3: has 2 cells; the header has 3");
    assert_eq!(err(""), "file: is empty; expected a header with tokens,delay_s,score");
    let asp = |text: &str| fit_asp_csv(text).unwrap_err().to_string();
    assert_eq!(asp("steps,quality\n1,2\n2,x\n3,4\n"), "line 3, column 2 (quality): 'x' is not a number");
    assert_eq!(asp("steps\n1\n2\n3\n"), "line 1: missing column 'quality' (the header has: steps)");
}

#[test]
fn degenerate_data_is_refused_with_a_reason() {
    let e = fit_tot_csv("tokens,delay_s,score\n100,1,5\n100,2,6\n100,3,7\n", 10.0).unwrap_err();
    assert_eq!(e.to_string(), "tokens: has only the values 100; fitting needs two different token counts");
    let e = fit_tot_csv("tokens,delay_s,score\n50,1,5\n100,2,5\n150,3,5\n", 10.0).unwrap_err();
    assert_eq!(e.field, "score");
    assert!(e.problem.contains("every score is 5"), "{e}");
    assert_eq!(fit_tot_csv("tokens,delay_s,score\n50,1,5\n100,2,6\n150,3,7\n", 0.0).unwrap_err().field, "score_max");
    let e = fit_asp_csv("steps,quality\n10,0\n10,1\n20,2\n20,3\n").unwrap_err();
    assert_eq!(e.to_string(), "steps: has only the values 10, 20; fitting needs three different step counts");
    assert_eq!(fit_asp_csv("steps,quality\n10,1\n20,1\n30,1\n").unwrap_err().field, "quality");
    // Columns of different lengths, through the slice API.
    let e = fit_asp(&[1.0, 2.0, 3.0], &[1.0, 2.0]).unwrap_err();
    assert_eq!(e.to_string(), "quality: has 2 values; steps has 3");
    assert_eq!(fit_tot(&[1.0, 2.0, f64::NAN], &[1.0; 3], &[1.0, 2.0, 3.0], 10.0).unwrap_err().field, "tokens[2]");
}

#[test]
fn a_fit_that_does_not_converge_says_so() {
    let truth = Curve { sigma: 45.0, rho_per_token: 0.05, eta_s_per_token: 0.03, psi_s: 0.1 };
    let tokens = [10.0, 20.0, 30.0, 40.0, 60.0];
    let scores: Vec<f64> = tokens.iter().map(|&c| truth.score(10.0, c) + if c == 30.0 { 0.5 } else { 0.0 }).collect();
    let e = fit_saturation(&tokens, &scores, 10.0, 1).unwrap_err();
    assert_eq!(e.field, "score");
    assert!(e.problem.starts_with("the quality curve did not converge in 1 iterations"), "{e}");
    assert!(fit_saturation(&tokens, &scores, 10.0, MAX_ITERATIONS).is_ok());
}

/// The probe's case: steps 10⁻³²⁰ apart gave `height: null` and `r_squared: null` with exit status 0.
#[test]
fn subnormal_steps_are_refused_not_fitted_to_null() {
    let e = fit_asp_csv("steps,quality\n0,0\n1e-320,0.5\n2e-320,1\n3e-320,1\n").unwrap_err();
    assert_eq!(e.field, "fit", "{e}");
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    const VALID_TOT: &str = "tokens,delay_s,score\n50,1.3,9.2\n75,1.9,9.7\n100,2.6,9.9\n125,3.2,9.95\n";
    const VALID_ASP: &str = "steps,quality\n0,0\n50,0.1\n100,0.4\n150,0.7\n200,0.8\n250,0.8\n";

    /// Applies edits `(position, kind, character)` to `text`: insert, delete or replace one character.
    fn mutate(text: &str, edits: &[(usize, u8, char)]) -> String {
        let mut chars: Vec<char> = text.chars().collect();
        for &(pos, kind, c) in edits {
            let at = pos % (chars.len() + 1);
            match kind % 3 {
                0 => chars.insert(at, c),
                1 if at < chars.len() => {
                    chars.remove(at);
                }
                _ if at < chars.len() => chars[at] = c,
                _ => chars.push(c),
            }
        }
        chars.into_iter().collect()
    }

    /// What a fit returns is finite and passes the parameter file's own validation (issue 11, class 2).
    fn finite_tot(fit: &TotFit) -> bool {
        let q = &fit.quality;
        let d = &fit.delay;
        [q.sigma, q.rho_per_token, q.r_squared, d.eta_s_per_token, d.psi_s, d.r_squared].iter().all(|v| v.is_finite())
            && fit.curve.iter().all(|p| p.delay_s.is_finite() && p.score.is_finite())
            && fit.curve_params().validate("fit").is_ok()
    }

    fn finite_asp(fit: &AspFit) -> bool {
        [fit.a_x, fit.b_x, fit.height, fit.r_squared].iter().all(|v| v.is_finite())
            && fit.curve.iter().all(|p| p.steps.is_finite() && p.quality.is_finite())
            && fit.provider(1, 0.0).validate("fit").is_ok()
    }

    /// Values a measurement column takes at its edges: subnormals, exact ties, the bounds.
    fn extreme() -> impl Strategy<Value = f64> {
        prop_oneof![
            Just(0.0),
            Just(5e-324),
            Just(1e-320),
            Just(1e-300),
            Just(1.0),
            Just(1e6),
            Just(-1e6),
            0.0f64..1e6,
            (1u32..400).prop_map(|k| f64::from(k) * 1e-320),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Arbitrary text never panics either fit.
        #[test]
        fn random_text_is_ok_or_err(text in "[0-9a-zA-Z_.,+\\-#\" \n\r\t]{0,200}") {
            if let Ok(fit) = fit_tot_csv(&text, 10.0) { prop_assert!(finite_tot(&fit)); }
            if let Ok(fit) = fit_asp_csv(&text) { prop_assert!(finite_asp(&fit)); }
        }

        /// Valid tables with random edits never panic, and what fits is finite and within the bounds.
        #[test]
        fn mutated_tables_are_ok_or_err(edits in proptest::collection::vec(
            (any::<usize>(), any::<u8>(), proptest::sample::select(vec!['0', '9', '.', ',', '-', 'e', '\n', 'x', ' ', '"', '#'])),
            0..8)) {
            if let Ok(fit) = fit_tot_csv(&mutate(VALID_TOT, &edits), 10.0) {
                prop_assert!(finite_tot(&fit));
                prop_assert!(fit.quality.sigma >= 0.0 && fit.quality.rho_per_token >= 0.0);
                prop_assert!(fit.delay.eta_s_per_token >= 0.0 && fit.delay.psi_s >= 0.0);
            }
            if let Ok(fit) = fit_asp_csv(&mutate(VALID_ASP, &edits)) { prop_assert!(finite_asp(&fit)); }
        }

        /// Tables of edge values (subnormal steps, ties, the bounds) fit to a usable curve or are refused.
        #[test]
        fn extreme_tables_fit_usably_or_refuse(rows in proptest::collection::vec((extreme(), extreme(), extreme()), 3..12)) {
            let mut text = String::from("tokens,delay_s,score\n");
            let mut asp = String::from("steps,quality\n");
            for (a, b, c) in &rows {
                text.push_str(&format!("{a:e},{:e},{c:e}\n", b.abs()));
                asp.push_str(&format!("{:e},{c:e}\n", a.abs()));
            }
            if let Ok(fit) = fit_tot_csv(&text, 10.0) { prop_assert!(finite_tot(&fit), "{text}: {fit:?}"); }
            if let Ok(fit) = fit_asp_csv(&asp) { prop_assert!(finite_asp(&fit), "{asp}: {fit:?}"); }
        }

        /// Numeric tables of any values in range never panic and give finite fits.
        #[test]
        fn random_numeric_tables_fit_or_refuse(rows in proptest::collection::vec(
            (0.0f64..1e6, 0.0f64..1e6, -1e6f64..1e6), 0..40), score_max in 1e-3f64..1e6) {
            let mut text = String::from("tokens,delay_s,score\n");
            let mut asp = String::from("steps,quality\n");
            for (a, b, c) in &rows {
                text.push_str(&format!("{a},{b},{c}\n"));
                asp.push_str(&format!("{a},{c}\n"));
            }
            if let Ok(fit) = fit_tot_csv(&text, score_max) { prop_assert!(finite_tot(&fit)); }
            if let Ok(fit) = fit_asp_csv(&asp) { prop_assert!(finite_asp(&fit)); }
        }
    }
}
