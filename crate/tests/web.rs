//! Browser tests (`wasm-pack test --headless --chrome crate`): the wasm API in a real Chromium, and
//! native = WebAssembly determinism against the fixture the native golden test checks.
#![cfg(target_arch = "wasm32")]

mod common;

use diffedge::web::Simulator;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn stored() -> Vec<common::Golden> {
    serde_json::from_str(include_str!("fixtures/golden.json")).unwrap()
}

fn message(e: JsValue) -> String {
    let field = js_sys::Reflect::get(&e, &"field".into()).unwrap().as_string().unwrap();
    let problem = js_sys::Reflect::get(&e, &"problem".into()).unwrap().as_string().unwrap();
    let message: String = e.dyn_into::<js_sys::Error>().unwrap().message().into();
    assert_eq!(message, format!("{field}: {problem}"), "the message is the field and the problem");
    message
}

#[wasm_bindgen_test]
fn a_short_training_run_gives_the_native_metrics() {
    let stored: serde_json::Value = serde_json::from_str(include_str!("fixtures/golden-training.json")).unwrap();
    assert_eq!(common::training_history(), stored);
}

#[wasm_bindgen_test]
fn trainer_api_trains_acts_draws_the_chain_and_round_trips_a_checkpoint() {
    use diffedge::web::BrowserTrainer as Trainer;
    let config = serde_json::to_string(&common::training_config()).unwrap();
    let mut trainer = Trainer::new(&config).unwrap();
    let progress = trainer.train_steps(150).unwrap();
    let epochs = js_sys::Reflect::get(&progress, &"epochs".into()).unwrap();
    assert_eq!(js_sys::Array::from(&epochs).length(), 1);
    let obs = vec![0.5f32; 42];
    let chain = trainer.chain(obs.clone(), 0, 0).unwrap();
    assert_eq!(js_sys::Array::from(&chain).length(), 6); // x_T and the five steps
    let bytes = trainer.save();
    let mut resumed = Trainer::load(&bytes).unwrap();
    // Both finish epoch 2 identically.
    trainer.train_steps(50).unwrap();
    resumed.train_steps(50).unwrap();
    let json = |t: &Trainer| String::from(js_sys::JSON::stringify(&t.history().unwrap()).unwrap());
    assert_eq!(json(&resumed), json(&trainer));
    assert!(message(trainer.act(vec![0.5; 3], 0, 0).err().unwrap()).starts_with("obs: must have 42 values"));
    assert!(message(Trainer::new("{}").err().unwrap()).starts_with("train"));
}

#[wasm_bindgen_test]
fn golden_episodes_are_bit_identical_to_native() {
    assert_eq!(common::compute_golden(), stored());
}

#[wasm_bindgen_test]
fn simulator_replays_the_native_crash_avoid_episode() {
    let golden = stored().into_iter().find(|g| g.policy == "crash_avoid").unwrap();
    let config = format!("{{\"world_seed\": {}}}", golden.world_seed);
    let mut sim = Simulator::new("asp", &config).unwrap();
    sim.reset(golden.episode_seed as f64).unwrap();
    let mut steps = 0;
    while !sim.done() {
        sim.step_policy("crash_avoid").unwrap();
        steps += 1;
    }
    assert_eq!(steps, golden.steps);
    let metrics = sim.metrics().unwrap();
    let total = js_sys::Reflect::get(&metrics, &"total_reward".into()).unwrap().as_f64().unwrap();
    assert_eq!(format!("{:016x}", total.to_bits()), golden.total_reward_bits);
}

#[wasm_bindgen_test]
fn bad_input_gives_errors_naming_the_field_and_changes_nothing() {
    assert!(message(Simulator::new("nope", "{}").err().unwrap()).starts_with("scenario: unknown scenario 'nope'"));
    assert_eq!(
        message(Simulator::new("asp", r#"{"providers": 0}"#).err().unwrap()),
        "config.providers: must be between 1 and 1000, got 0"
    );
    assert!(message(Simulator::new("asp", r#"{"horizon_s": "long"}"#).err().unwrap()).starts_with("config.horizon_s:"));
    assert!(message(Simulator::new("asp", "{oops").err().unwrap()).starts_with("config:"));

    let mut sim = Simulator::new("asp", "{}").unwrap();
    sim.reset(1.0).unwrap();
    let before = sim.observation();
    assert!(message(sim.reset(-1.0).unwrap_err()).starts_with("seed:"));
    assert!(message(sim.reset(f64::NAN).unwrap_err()).starts_with("seed:"));
    assert!(message(sim.step(20.0).unwrap_err()).starts_with("action:"));
    assert!(message(sim.step(1.5).unwrap_err()).starts_with("action:"));
    assert!(message(sim.step_policy("greedy").unwrap_err()).starts_with("policy: unknown policy 'greedy'"));
    assert_eq!(sim.observation(), before);
    // Still alive and stepping after all of that.
    sim.step(3.0).unwrap();
    assert_eq!(sim.run_policy("random", 5).unwrap(), 5);
}

#[wasm_bindgen_test]
fn a_learned_episode_in_the_simulator_is_the_cores_greedy_episode_and_replays_identically() {
    use diffedge::rng::{Rng, Stream};
    use diffedge::web::BrowserTrainer as Trainer;
    let config = common::training_config();
    let mut trainer = Trainer::new(&serde_json::to_string(&config).unwrap()).unwrap();
    trainer.train_steps(150).unwrap();
    let bytes = trainer.save();
    // What `diffedge eval --checkpoint FILE --seed 3 --episodes 1` plays.
    let mut core = diffedge::train::Trainer::load(&bytes).unwrap();
    let expected = core.greedy_episode(3, &mut Rng::new(3, Stream::Evaluation)).unwrap();

    // The page's worker: the simulator of the run's world, driven by `act` from `startEpisode` on.
    let mut world = serde_json::to_value(&config.scenario).unwrap();
    let scenario = world.as_object_mut().unwrap().remove("scenario").unwrap();
    let mut sim = Simulator::new(scenario.as_str().unwrap(), &world.to_string()).unwrap();
    let mut policy = Trainer::load(&bytes).unwrap();
    assert_eq!(policy.observation_dim() as usize, sim.observation().len());
    let field = |v: &JsValue, name: &str| js_sys::Reflect::get(v, &name.into()).unwrap().as_f64().unwrap();
    let mut play = |with_chain: bool| {
        sim.reset(3.0).unwrap();
        policy.start_episode(3.0).unwrap();
        let mut steps = 0u64;
        while !sim.done() {
            let key = sim.decision_key().unwrap();
            let (agent, position) = (field(&key, "agent") as u32, field(&key, "position") as u32);
            // Looking at the chain never changes the decision.
            if with_chain {
                policy.chain(sim.observation(), agent, position).unwrap();
            }
            let action = policy.act(sim.observation(), agent, position).unwrap();
            sim.step(action.as_f64().unwrap()).unwrap();
            steps += 1;
        }
        (steps, field(&sim.metrics().unwrap(), "total_reward").to_bits())
    };
    let first = play(true);
    assert_eq!(first, (expected.steps, expected.total_reward.to_bits()));
    assert_eq!(play(false), first);
    assert!(message(policy.start_episode(-1.0).unwrap_err()).starts_with("episode_seed:"));
}
