//! Property test (issue 11, class 1): for every scenario, configs and parameter files drawn across every
//! field's accepted range, extremes included, run an episode of every heuristic with only finite figures
//! (rewards, observations, metrics) and observations inside the scenario's observation space, and nothing the
//! validator accepts is refused by a later step.
//!
//! The accepted ranges are not written down here: each field's is asked of the validator itself (a ladder
//! of values, then bisection to the edge of what it accepts), so a field added later is covered and a bound
//! loosened later is put to the test. Fields are drawn jointly (each at its lowest, its highest, its default
//! or in between), so bounds that are safe alone but not together are found too.
//!
//! `cargo test --test accepted_ranges` runs a fixed-seed slice with episodes cut at 5 000 decisions;
//! `ACCEPTED_RANGES_CASES=2000 ACCEPTED_RANGES_MAX_STEPS=0 cargo test --release --test accepted_ranges --
//! --nocapture` runs a long one with whole episodes (0: no cut).

use std::collections::{BTreeMap, BTreeSet};

use diffedge::rng::{Rng, Stream};
use diffedge::scenario::{Env, Heuristic, ScenarioConfig, ScenarioId};
use serde_json::Value;

/// The values a field accepts, as the validator answers (holding the other fields at their defaults).
#[derive(Debug, Clone)]
enum Accepted {
    /// A real in `lo..=hi` (every value between assumed accepted; the draw tests that).
    Real { lo: f64, hi: f64 },
    /// An integer in `lo..=hi`.
    Integer { lo: u64, hi: u64 },
    /// One of these (strings from the schema's constants, booleans).
    OneOf(Vec<Value>),
}

/// One field: where it is (a JSON pointer) and what it accepts.
#[derive(Debug, Clone)]
struct Field {
    pointer: String,
    accepted: Accepted,
}

/// Reals tried first: both signs, every order of magnitude the validators might bound at, both ends of f64.
fn real_ladder() -> Vec<f64> {
    let magnitudes = [
        5e-324,
        1e-300,
        1e-100,
        1e-30,
        1e-21,
        1e-15,
        1e-12,
        1e-9,
        1e-6,
        1e-3,
        0.01,
        0.1,
        0.5,
        0.9,
        1.0,
        2.0,
        10.0,
        100.0,
        1e3,
        1e4,
        1e5,
        1e6,
        1e7,
        1e9,
        1e12,
        1e15,
        1e30,
        1e100,
        1e300,
        f64::MAX,
    ];
    let mut ladder: Vec<f64> = magnitudes.iter().map(|m| -m).chain([0.0]).chain(magnitudes).collect();
    ladder.sort_by(f64::total_cmp);
    ladder
}

/// Integers tried first.
const INTEGER_LADDER: &[u64] = &[
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    8,
    10,
    12,
    16,
    20,
    32,
    50,
    64,
    100,
    1000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    1_000_000_000,
    u32::MAX as u64,
    u64::MAX,
];

/// `x` as an integer whose order is the order of the reals (for bisection over every f64).
fn ordered(x: f64) -> i64 {
    let bits = x.to_bits() as i64;
    if bits < 0 { i64::MIN - bits } else { bits }
}

fn from_ordered(k: i64) -> f64 {
    f64::from_bits(if k < 0 { (i64::MIN - k) as u64 } else { k as u64 })
}

/// The edge between a `rejected` and an `accepted` real: the accepted value nearest to `rejected`.
fn bisect_real(rejected: f64, accepted: f64, accepts: &dyn Fn(f64) -> bool) -> f64 {
    let (mut bad, mut good) = (ordered(rejected), ordered(accepted));
    while (good - bad).abs() > 1 {
        let mid = bad + (good - bad) / 2;
        if accepts(from_ordered(mid)) { good = mid } else { bad = mid }
    }
    from_ordered(good)
}

fn bisect_integer(rejected: u64, accepted: u64, accepts: &dyn Fn(u64) -> bool) -> u64 {
    let (mut bad, mut good) = (rejected, accepted);
    while bad.abs_diff(good) > 1 {
        let mid = if bad < good { bad + (good - bad) / 2 } else { good + (bad - good) / 2 };
        if accepts(mid) { good = mid } else { bad = mid }
    }
    good
}

/// The accepted range along a ladder: lowest and highest accepted rung, each bisected to the edge.
fn edges<T: Copy + PartialEq>(
    ladder: &[T],
    current: T,
    accepts: &dyn Fn(T) -> bool,
    bisect: fn(T, T, &dyn Fn(T) -> bool) -> T,
) -> (T, T) {
    let ok: Vec<bool> = ladder.iter().map(|&x| accepts(x)).collect();
    let (Some(first), Some(last)) = (ok.iter().position(|&b| b), ok.iter().rposition(|&b| b)) else {
        return (current, current);
    };
    let lo = if first == 0 { ladder[0] } else { bisect(ladder[first - 1], ladder[first], accepts) };
    let hi = if last + 1 == ladder.len() { ladder[last] } else { bisect(ladder[last + 1], ladder[last], accepts) };
    (lo, hi)
}

/// Every string constant of a JSON Schema (the names of enum variants).
fn schema_strings(schema: &Value, out: &mut BTreeSet<String>) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("const", Value::String(s)) => {
                        out.insert(s.clone());
                    }
                    ("enum", Value::Array(items)) => {
                        out.extend(items.iter().filter_map(|v| v.as_str().map(String::from)))
                    }
                    _ => schema_strings(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| schema_strings(v, out)),
        _ => {}
    }
}

/// The pointer with array indices replaced by `*`: elements of one array share their fields' ranges.
fn shape(pointer: &str) -> String {
    pointer.split('/').map(|part| if part.parse::<usize>().is_ok() { "*" } else { part }).collect::<Vec<_>>().join("/")
}

/// Every scalar leaf of `doc` (but `skip`ped keys), with its accepted values as `accepts` answers.
fn probe(doc: &Value, skip: &[&str], strings: &BTreeSet<String>, accepts: &dyn Fn(&Value) -> bool) -> Vec<Field> {
    let mut leaves = Vec::new();
    collect_leaves(doc, String::new(), skip, &mut leaves);
    let mut by_shape: BTreeMap<String, Accepted> = BTreeMap::new();
    let mut fields = Vec::new();
    for (pointer, value) in leaves {
        let accepted = by_shape
            .entry(shape(&pointer))
            .or_insert_with(|| {
                let with = |v: Value| {
                    let mut d = doc.clone();
                    *d.pointer_mut(&pointer).unwrap() = v;
                    accepts(&d)
                };
                match &value {
                    Value::Number(n) if n.is_u64() => {
                        let (lo, hi) =
                            edges(INTEGER_LADDER, n.as_u64().unwrap(), &|x| with(Value::from(x)), bisect_integer);
                        Accepted::Integer { lo, hi }
                    }
                    Value::Number(n) => {
                        let (lo, hi) =
                            edges(&real_ladder(), n.as_f64().unwrap(), &|x| with(Value::from(x)), bisect_real);
                        Accepted::Real { lo, hi }
                    }
                    Value::Bool(_) => Accepted::OneOf(vec![Value::Bool(false), Value::Bool(true)]),
                    Value::String(_) => Accepted::OneOf(
                        strings.iter().map(|s| Value::from(s.as_str())).filter(|v| with(v.clone())).collect(),
                    ),
                    _ => unreachable!("leaves are scalars"),
                }
            })
            .clone();
        fields.push(Field { pointer, accepted });
    }
    fields
}

fn collect_leaves(value: &Value, pointer: String, skip: &[&str], out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if !skip.contains(&key.as_str()) {
                    collect_leaves(v, format!("{pointer}/{key}"), skip, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_leaves(v, format!("{pointer}/{i}"), skip, out);
            }
        }
        Value::Null => {}
        scalar => out.push((pointer, scalar.clone())),
    }
}

/// Fields moved per draw: enough to reach corners of many fields at once, few enough that a parameter file
/// of thousands of numbers (ddc's profile table) costs a bounded number of validations.
const MOVES_PER_DRAW: usize = 120;

/// A draw from `doc`: up to [`MOVES_PER_DRAW`] fields in random order, each moved to its lowest, its highest or a value in between,
/// a move kept only if `accepts` still accepts the whole document (so joint limits hold and the draw walks
/// into the accepted set's corners). Returns the document and how many moves were kept.
fn draw(doc: &Value, fields: &[Field], rng: &mut Rng, accepts: &dyn Fn(&Value) -> bool) -> (Value, usize) {
    let mut d = doc.clone();
    let mut order: Vec<usize> = (0..fields.len()).collect();
    rng.shuffle(&mut order);
    order.truncate(MOVES_PER_DRAW);
    let mut kept = 0;
    for field in order.into_iter().map(|i| &fields[i]) {
        let slot = d.pointer_mut(&field.pointer).unwrap();
        let before = slot.clone();
        let pick = rng.below(3);
        *slot = match &field.accepted {
            Accepted::Real { lo, hi } => Value::from(match pick {
                0 => *lo,
                1 => *hi,
                _ if *lo > 0.0 => (lo.ln() + rng.uniform() * (hi.ln() - lo.ln())).exp().clamp(*lo, *hi),
                _ => lo + rng.uniform() * (hi - lo),
            }),
            Accepted::Integer { lo, hi } => Value::from(match pick {
                0 => *lo,
                1 => *hi,
                _ => lo + (rng.uniform() * (hi - lo) as f64) as u64,
            }),
            Accepted::OneOf(values) if values.is_empty() => before.clone(),
            Accepted::OneOf(values) => values[rng.below(values.len() as u64) as usize].clone(),
        };
        if accepts(&d) {
            kept += 1;
        } else {
            *d.pointer_mut(&field.pointer).unwrap() = before;
        }
    }
    (d, kept)
}

/// The config's own fields as JSON (without the `scenario` tag and the fixed world).
fn config_doc(config: &ScenarioConfig) -> Value {
    let mut doc = serde_json::to_value(config).unwrap();
    let map = doc.as_object_mut().unwrap();
    map.remove("scenario");
    map.remove("world");
    doc
}

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// What a run of one scenario found.
#[derive(Debug, Default)]
struct Tally {
    /// Fields drawn, over all cases.
    fields: usize,
    /// Fields moved off their default (the rest were refused by a joint limit at that point of the draw).
    moved: usize,
    episodes: usize,
    decisions: u64,
}

/// Runs `cases` drawn configs (half of them with a drawn parameter file) of scenario `id`; panics on the
/// first non-finite figure or on an accepted config that `build` refuses.
fn run_scenario(id: ScenarioId, cases: usize, max_steps: u64) -> Tally {
    let default = ScenarioConfig::default_for(id);
    let doc = config_doc(&default);
    let mut strings = BTreeSet::new();
    schema_strings(&ScenarioConfig::config_schema(id), &mut strings);
    let config_fields =
        probe(&doc, &["world_seed"], &strings, &|d| ScenarioConfig::from_json(id, &d.to_string()).is_ok());
    let world = default.world_params_json().ok().map(|json| {
        let world_doc: Value = serde_json::from_str(&json).unwrap();
        let mut strings = BTreeSet::new();
        schema_strings(&ScenarioConfig::params_schema(id).unwrap(), &mut strings);
        let fields = probe(&world_doc, &["schema", "source"], &strings, &|d| {
            default.clone().set_world_json(&d.to_string()).is_ok()
        });
        (world_doc, fields)
    });

    if std::env::var_os("ACCEPTED_RANGES_SHOW").is_some() {
        for f in config_fields.iter().chain(world.iter().flat_map(|(_, f)| f)) {
            println!("{} {}: {:?}", id.name(), f.pointer, f.accepted);
        }
    }
    let mut rng = Rng::new(u64::from(id.name().as_bytes()[0]), Stream::World);
    let mut tally = Tally::default();
    for case in 0..cases {
        let (drawn_doc, moved) =
            draw(&doc, &config_fields, &mut rng, &|d| ScenarioConfig::from_json(id, &d.to_string()).is_ok());
        let mut config = ScenarioConfig::from_json(id, &drawn_doc.to_string()).unwrap();
        tally.fields += config_fields.len().min(MOVES_PER_DRAW);
        tally.moved += moved;
        // Every other case also plays on a drawn parameter file, accepted together with the drawn config.
        // (Not where the drawn config rules out the file's shape: lad's tasks_per_slot past its task indices.)
        let world_text = match &world {
            Some((world_doc, fields))
                if case % 2 == 1 && config.clone().set_world_json(&world_doc.to_string()).is_ok() =>
            {
                let (world, moved) =
                    draw(world_doc, fields, &mut rng, &|d| config.clone().set_world_json(&d.to_string()).is_ok());
                tally.fields += fields.len().min(MOVES_PER_DRAW);
                tally.moved += moved;
                config.set_world_json(&world.to_string()).unwrap();
                Some(world.to_string())
            }
            _ => None,
        };
        let context =
            || format!("{} config {drawn_doc}\nworld {}", id.name(), world_text.as_deref().unwrap_or("drawn"));
        let mut env = config.build().unwrap_or_else(|e| panic!("accepted, then build refused it ({e}): {}", context()));
        for name in env.heuristics().to_vec() {
            let seed = case as u64;
            // A heuristic may refuse a world it cannot search (ddc's exhaustive oracle past 6 users), saying so.
            let Ok(mut heuristic) = Heuristic::new(env.as_ref(), name, seed) else { continue };
            env.set_system(Some(heuristic.index())).unwrap();
            env.reset(seed);
            let space = env.observation_space();
            let finite = |env: &dyn Env, what: &str| {
                if let Some(i) = env.observation().iter().position(|x| !x.is_finite()) {
                    panic!("{name}: observation[{i}] = {} {what}: {}", env.observation()[i], context());
                }
                let dim = env.observation().len();
                assert_eq!(dim, space.dim(), "{name}: observation length {what}: {}", context());
                // CartPole's bounds are Gymnasium's (twice the thresholds), which its terminating step can pass
                // where one step carries the cart or pole further than a threshold: under extreme configs only.
                let gymnasium_overshoot = id == ScenarioId::Cartpole && env.is_done();
                if let Some((i, x, lo, hi)) = space.first_outside(env.observation()).filter(|_| !gymnasium_overshoot) {
                    panic!("{name}: observation[{i}] = {x} outside [{lo}, {hi}] {what}: {}", context());
                }
            };
            finite(env.as_ref(), "after reset");
            let mut steps = 0;
            while !env.is_done() && (max_steps == 0 || steps < max_steps) {
                let action = heuristic.act(env.as_ref());
                let step =
                    env.step(&action).unwrap_or_else(|e| panic!("{name}: its own action refused ({e}): {}", context()));
                assert!(step.reward.is_finite(), "{name}: reward {} at decision {steps}: {}", step.reward, context());
                finite(env.as_ref(), &format!("at decision {steps}"));
                steps += 1;
            }
            for (metric, value) in &env.metrics().0 {
                assert!(value.is_finite(), "{name}: {metric} = {value} after {steps} decisions: {}", context());
            }
            tally.episodes += 1;
            tally.decisions += steps;
        }
    }
    tally
}

#[test]
fn accepted_configs_and_worlds_give_only_finite_figures_and_observations_in_their_space() {
    let cases = env_count("ACCEPTED_RANGES_CASES", 8);
    let max_steps = env_count("ACCEPTED_RANGES_MAX_STEPS", 5_000) as u64;
    // ACCEPTED_RANGES_SCENARIOS=tot,ddc limits a long run to some scenarios.
    let only = std::env::var("ACCEPTED_RANGES_SCENARIOS").ok();
    for &id in ScenarioId::ALL {
        if only.as_deref().is_some_and(|names| !names.split(',').any(|n| n == id.name())) {
            continue;
        }
        let tally = run_scenario(id, cases, max_steps);
        println!("{}: {tally:?}", id.name());
        // Joint limits refuse some moves; most must get through, or the test would test little.
        assert!(
            tally.moved * 2 >= tally.fields,
            "{}: only {} of {} fields moved",
            id.name(),
            tally.moved,
            tally.fields
        );
    }
}
