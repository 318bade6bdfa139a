//! Fuzzing every untrusted input the core reads (issue 11): parameter files, measurement CSVs, scenario
//! configs, training configs (what `--set` and the page's train form edit) and checkpoints, each by random
//! edits of a valid one (characters, fragments of JSON, numbers swapped for extremes, spans repeated or cut,
//! bytes flipped). For every input: no panic; a refusal names a field and changes nothing; what is accepted
//! every later step accepts too (a world or config builds and plays, a fit is usable, a training config's
//! trainer is built, a checkpoint loads and acts) and gives only finite figures.
//!
//! `cargo test --test fuzz` runs a fixed-seed slice (part of `npm test`); a long run:
//! `FUZZ_CASES=60000 cargo test --release --test fuzz -- --nocapture` (the counts are printed; share links are
//! fuzzed on the page's side, `www/src/share.test.ts`).

use diffedge::agent::{Algorithm, Preset};
use diffedge::json;
use diffedge::params::ddc::{DdcParams, profile_csv};
use diffedge::rng::{Rng, Stream};
use diffedge::scenario::{Heuristic, ScenarioConfig, ScenarioId};
use diffedge::train::{TrainConfig, Trainer};

/// Fragments an edit puts in: JSON structure, literals, and numbers at the edges of what a validator or
/// a float survives.
const FRAGMENTS: &[&str] = &[
    "",
    "0",
    "-",
    ",",
    ":",
    "\"",
    "{",
    "}",
    "[",
    "]",
    "null",
    "true",
    "\"x\"",
    "1e308",
    "-1e308",
    "5e-324",
    "1e-320",
    "1e-300",
    "0.0",
    "-0",
    "4294967296",
    "18446744073709551616",
    "1e6",
    "0.5",
    "NaN",
    "\u{feff}",
    "\\u0000",
    "\u{ff}",
];

/// Numbers a numeric edit puts in place of one in the text.
const EXTREMES: &[&str] = &[
    "0",
    "-1",
    "5e-324",
    "1e-320",
    "1e-300",
    "1e-9",
    "1e-6",
    "0.001",
    "1",
    "2",
    "1000",
    "1e6",
    "1e9",
    "1e12",
    "1e300",
    "4294967295",
    "4294967296",
    "65536",
    "-1e6",
];

/// `text` with one to four random edits: half the inputs get only numeric edits (they mostly parse, and
/// test the validators), the others any edit (they test the reader).
fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut s: Vec<char> = text.chars().collect();
    let numeric_only = rng.below(2) == 0;
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(s.len() as u64 + 1) as usize;
        match if numeric_only { 0 } else { rng.below(6) } {
            // A number swapped for an extreme: the semantic edit most inputs survive parsing with.
            0 | 1 => {
                let starts: Vec<usize> = (0..s.len())
                    .filter(|&i| {
                        s[i].is_ascii_digit() && (i == 0 || !s[i - 1].is_ascii_alphanumeric() && s[i - 1] != '.')
                    })
                    .collect();
                if let Some(&start) = starts.get(rng.below(starts.len().max(1) as u64) as usize) {
                    let end = (start..s.len())
                        .find(|&i| !(s[i].is_ascii_digit() || matches!(s[i], '.' | 'e' | 'E' | '-' | '+')))
                        .unwrap_or(s.len());
                    let with = EXTREMES[rng.below(EXTREMES.len() as u64) as usize];
                    s.splice(start..end, with.chars());
                }
            }
            2 => {
                let with = FRAGMENTS[rng.below(FRAGMENTS.len() as u64) as usize];
                s.splice(at..at, with.chars());
            }
            3 if at < s.len() => {
                let with = FRAGMENTS[rng.below(FRAGMENTS.len() as u64) as usize];
                s.splice(at..at + 1, with.chars());
            }
            // A span cut, or repeated (duplicate keys, longer lists).
            4 | 5 if at < s.len() => {
                let end = (at + 1 + rng.below(40) as usize).min(s.len());
                if rng.below(2) == 0 {
                    s.drain(at..end);
                } else {
                    let span: Vec<char> = s[at..end].to_vec();
                    s.splice(end..end, span);
                }
            }
            _ => s.push(FRAGMENTS[rng.below(FRAGMENTS.len() as u64) as usize].chars().next().unwrap_or(' ')),
        }
    }
    s.into_iter().collect()
}

fn cases(default: usize) -> usize {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Plays the first few decisions of every heuristic on `config`, checking every figure is finite.
fn plays_finitely(config: &ScenarioConfig, what: &str) {
    let mut env = config.build().unwrap_or_else(|e| panic!("{what}: accepted, then build refused it: {e}"));
    // ddc's oracle searches every split exhaustively (seconds a decision); the property test over the
    // accepted ranges plays it.
    for name in env.heuristics().iter().copied().filter(|&name| name != "oracle") {
        let Ok(mut heuristic) = Heuristic::new(env.as_ref(), name, 1) else { continue };
        env.set_system(Some(heuristic.index())).unwrap();
        env.reset(1);
        for _ in 0..20 {
            if env.is_done() {
                break;
            }
            let action = heuristic.act(env.as_ref());
            let step = env.step(&action).unwrap_or_else(|e| panic!("{what}: {name}'s own action refused: {e}"));
            assert!(step.reward.is_finite(), "{what}: {name}: reward {}", step.reward);
            assert!(env.observation().iter().all(|x| x.is_finite()), "{what}: {name}: observation");
        }
        assert!(env.metrics().0.iter().all(|(_, v)| v.is_finite()), "{what}: {name}: {:?}", env.metrics());
    }
}

/// Counts of one target.
#[derive(Debug, Default)]
struct Count {
    inputs: usize,
    accepted: usize,
}

fn report(target: &str, count: &Count) {
    println!("fuzz {target}: {} inputs, {} accepted", count.inputs, count.accepted);
}

#[test]
fn parameter_files() {
    let mut rng = Rng::new(11, Stream::World);
    for &id in ScenarioId::ALL {
        let default = ScenarioConfig::default_for(id);
        let Ok(base) = default.world_params_json() else { continue };
        let mut count = Count::default();
        for _ in 0..cases(300) {
            let text = mutate(&base, &mut rng);
            let mut config = default.clone();
            count.inputs += 1;
            match config.set_world_json(&text) {
                Ok(()) => {
                    count.accepted += 1;
                    plays_finitely(&config, &format!("{} world {text}", id.name()));
                    // What was accepted reads back: the downloaded file of it is accepted again.
                    let again = config.world_params_json().unwrap();
                    default.clone().set_world_json(&again).unwrap_or_else(|e| panic!("re-read refused: {e}\n{again}"));
                }
                Err(e) => {
                    assert!(!e.field.is_empty() && !e.problem.is_empty(), "{text}");
                    assert_eq!(config, default, "a refused file changed nothing");
                }
            }
        }
        report(&format!("{} parameter files", id.name()), &count);
    }
}

#[test]
fn scenario_configs() {
    let mut rng = Rng::new(12, Stream::World);
    for &id in ScenarioId::ALL {
        let base = serde_json::to_string(&ScenarioConfig::default_for(id)).unwrap();
        let mut count = Count::default();
        for _ in 0..cases(300) {
            let text = mutate(&base, &mut rng);
            count.inputs += 1;
            match ScenarioConfig::from_json(id, &text) {
                Ok(config) => {
                    count.accepted += 1;
                    plays_finitely(&config, &format!("{} config {text}", id.name()));
                    let again = serde_json::to_string(&config).unwrap();
                    ScenarioConfig::from_json(id, &again).unwrap_or_else(|e| panic!("re-read refused: {e}\n{again}"));
                }
                Err(e) => assert!(!e.field.is_empty() && !e.problem.is_empty(), "{text}"),
            }
        }
        report(&format!("{} configs", id.name()), &count);
    }
}

#[test]
fn measurement_csvs() {
    let mut rng = Rng::new(13, Stream::World);
    let bases = [
        (ScenarioId::Asp, "steps,quality\n0,0\n50,0.1\n100,0.4\n150,0.7\n200,0.8\n250,0.8\n".to_owned()),
        (ScenarioId::Tot, "tokens,delay_s,score\n50,1.3,9.2\n75,1.9,9.7\n100,2.6,9.9\n125,3.2,9.95\n".to_owned()),
        (ScenarioId::Ddc, profile_csv(&DdcParams::synthetic())),
    ];
    for (id, base) in bases {
        let mut count = Count::default();
        // ddc's table is long (a profile of every condition, level and step count): fewer cases.
        let n = if id == ScenarioId::Ddc { cases(300) / 10 } else { cases(300) };
        for _ in 0..n {
            let text = mutate(&base, &mut rng);
            count.inputs += 1;
            match ScenarioConfig::fit_csv(id, &text, 10.0) {
                Ok(fit) => {
                    count.accepted += 1;
                    let printed = fit.to_string();
                    assert!(!printed.contains("null"), "a fit with null in it: {printed}\n{text}");
                }
                Err(e) => assert!(!e.field.is_empty() && !e.problem.is_empty(), "{text}"),
            }
        }
        report(&format!("{} CSVs", id.name()), &count);
    }
}

#[test]
fn training_configs() {
    let mut rng = Rng::new(14, Stream::World);
    let runs = [
        (ScenarioId::Asp, Algorithm::D2sac),
        (ScenarioId::Lad, Algorithm::Lad),
        (ScenarioId::Tot, Algorithm::Dsac),
        (ScenarioId::Flow, Algorithm::Dqn),
        (ScenarioId::Ddc, Algorithm::Ddc),
        (ScenarioId::Cartpole, Algorithm::Ppo),
    ];
    for (id, algorithm) in runs {
        let config = TrainConfig::preset(ScenarioConfig::default_for(id), algorithm, Preset::Fast, 0);
        let base = serde_json::to_string(&config).unwrap();
        let mut count = Count::default();
        // Building a trainer allocates its networks: a tenth of the cases of the text-only targets.
        for _ in 0..cases(300) / 10 {
            let text = mutate(&base, &mut rng);
            count.inputs += 1;
            let parsed = json::parse::<TrainConfig>("train", &text).and_then(|c| c.validate().map(|()| c));
            match parsed.and_then(Trainer::new) {
                Ok(mut trainer) => {
                    count.accepted += 1;
                    trainer.step().unwrap_or_else(|e| {
                        panic!("{} {algorithm}: accepted, then a step failed: {e}\n{text}", id.name())
                    });
                }
                Err(e) => assert!(!e.field.is_empty() && !e.problem.is_empty(), "{text}"),
            }
        }
        report(&format!("{} {algorithm} training configs", id.name()), &count);
    }
}

#[test]
fn checkpoints() {
    let mut rng = Rng::new(15, Stream::World);
    let config =
        TrainConfig::preset(ScenarioConfig::default_for(ScenarioId::Cartpole), Algorithm::D2sac, Preset::Fast, 0);
    let mut trainer = Trainer::new(config).unwrap();
    trainer.advance(300).unwrap();
    let base = trainer.save();
    let header = u64::from_le_bytes(base[..8].try_into().unwrap()) as usize + 8;
    let mut count = Count::default();
    for _ in 0..cases(300) {
        let mut bytes = base.clone();
        match rng.below(4) {
            // A byte of the header, or of the data (NaN and infinity patterns among them).
            0 => bytes[rng.below(header as u64) as usize] = rng.below(256) as u8,
            1 => {
                let at = header + rng.below((bytes.len() - header) as u64) as usize;
                bytes[at] = [0x7f, 0xff, 0x80, 0x00][rng.below(4) as usize];
            }
            2 => bytes.truncate(rng.below(bytes.len() as u64) as usize),
            _ => {
                let text = String::from_utf8_lossy(&bytes[8..header]).into_owned();
                let edited = mutate(&text, &mut rng);
                let mut out = (edited.len() as u64).to_le_bytes().to_vec();
                out.extend_from_slice(edited.as_bytes());
                out.extend_from_slice(&bytes[header..]);
                bytes = out;
            }
        }
        count.inputs += 1;
        match Trainer::load(&bytes) {
            Ok(mut loaded) => {
                count.accepted += 1;
                let evaluation = loaded.evaluate().unwrap_or_else(|e| panic!("loaded, then evaluation failed: {e}"));
                assert!(evaluation.mean_return.is_finite());
            }
            Err(e) => assert!(!e.field.is_empty() && !e.problem.is_empty()),
        }
    }
    report("checkpoints", &count);
}
