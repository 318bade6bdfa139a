//! Checkpoints as safetensors files: every network in PyTorch's layout (`<net>.<layer>.weight` is
//! `[out, in]`, `.bias` is `[out]`), optimiser moments, replay contents and latents as tensors; counters,
//! random-stream positions and the run's config as JSON in the metadata (`diffedge.state`). A run resumes
//! from one bit-identically, and `safetensors.torch.load_file` reads its weights.

use std::collections::BTreeMap;

use std::io::Read;

use safetensors::tensor::{Dtype, TensorView};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::nn::Mlp;

/// Largest checkpoint accepted, in bytes.
pub const MAX_CHECKPOINT_BYTES: usize = 1 << 31;

/// Named `f32` tensors and a JSON state, as saved in a checkpoint.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checkpoint {
    tensors: BTreeMap<String, (Vec<usize>, Vec<f32>)>,
    state: BTreeMap<String, serde_json::Value>,
    /// Replay buffers are written empty (see [`Checkpoint::without_replay`]).
    omit_replay: bool,
}

impl Checkpoint {
    /// An empty checkpoint.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty checkpoint into which replay buffers save themselves empty: the networks, optimiser moments
    /// and counters stay, so it is a fraction of the size (for shipping a trained policy); a run loaded
    /// from it continues with an empty replay buffer.
    pub fn without_replay() -> Self {
        Self { omit_replay: true, ..Self::default() }
    }

    /// Whether replay buffers are to be saved empty.
    pub fn omits_replay(&self) -> bool {
        self.omit_replay
    }

    /// Stores tensor `name` of `shape`.
    pub fn put(&mut self, name: impl Into<String>, shape: Vec<usize>, data: Vec<f32>) {
        debug_assert_eq!(shape.iter().product::<usize>(), data.len());
        self.tensors.insert(name.into(), (shape, data));
    }

    /// Tensor `name`, checked to have `shape`.
    pub fn get(&self, name: &str, shape: &[usize]) -> Result<&[f32]> {
        match self.tensors.get(name) {
            Some((s, data)) if s == shape => Ok(data),
            Some((s, _)) => {
                Err(Error::new("checkpoint", format!("tensor '{name}' has shape {s:?}; this run needs {shape:?}")))
            }
            None => Err(Error::new("checkpoint", format!("tensor '{name}' is missing"))),
        }
    }

    /// Names of the tensors and state keys whose contents differ between `self` and `other` (for tests).
    pub fn differences(&self, other: &Self) -> Vec<String> {
        let mut out: Vec<String> =
            self.tensors.iter().filter(|(k, v)| other.tensors.get(*k) != Some(v)).map(|(k, _)| k.clone()).collect();
        out.extend(self.state.iter().filter(|(k, v)| other.state.get(*k) != Some(v)).map(|(k, _)| k.clone()));
        out
    }

    /// Tensor `name` of any shape (for buffers whose length varies).
    pub fn get_any(&self, name: &str) -> Result<(&[usize], &[f32])> {
        self.tensors
            .get(name)
            .map(|(s, d)| (&s[..], &d[..]))
            .ok_or_else(|| Error::new("checkpoint", format!("tensor '{name}' is missing")))
    }

    /// Stores `value` under `key` in the JSON state.
    pub fn put_state(&mut self, key: impl Into<String>, value: &impl Serialize) {
        self.state.insert(key.into(), serde_json::to_value(value).expect("checkpoint state serialises"));
    }

    /// Removes the state under `key` (tests write checkpoints as older versions did).
    #[cfg(test)]
    pub(crate) fn remove_state(&mut self, key: &str) {
        self.state.remove(key);
    }

    /// The state under `key`.
    pub fn state<T: DeserializeOwned>(&self, key: &str) -> Result<T> {
        let value = self.state.get(key).ok_or_else(|| Error::new("checkpoint", format!("state '{key}' is missing")))?;
        serde_json::from_value(value.clone())
            .map_err(|e| Error::new("checkpoint", format!("state '{key}' is malformed: {e}")))
    }

    /// Stores the layers of `mlp` from the flat `weights` as `<prefix>.<layer>.weight` (`[out, in]`) and
    /// `<prefix>.<layer>.bias`.
    pub fn put_mlp(&mut self, prefix: &str, mlp: &Mlp, weights: &[f32]) {
        for (i, layer) in mlp.layers.iter().enumerate() {
            let l = layer.layout;
            let mut weight = vec![0.0; l.inputs * l.outputs];
            crate::nn::kernels::transpose(
                &weights[l.weight..l.weight + l.inputs * l.outputs],
                &mut weight,
                l.inputs,
                l.outputs,
            );
            self.put(format!("{prefix}.{i}.weight"), vec![l.outputs, l.inputs], weight);
            self.put(format!("{prefix}.{i}.bias"), vec![l.outputs], weights[l.bias..l.bias + l.outputs].to_vec());
        }
    }

    /// Reads the layers stored by [`Checkpoint::put_mlp`] into the flat `weights`.
    pub fn get_mlp(&self, prefix: &str, mlp: &Mlp, weights: &mut [f32]) -> Result<()> {
        for (i, layer) in mlp.layers.iter().enumerate() {
            let l = layer.layout;
            let weight = self.get(&format!("{prefix}.{i}.weight"), &[l.outputs, l.inputs])?;
            crate::nn::kernels::transpose(
                weight,
                &mut weights[l.weight..l.weight + l.inputs * l.outputs],
                l.outputs,
                l.inputs,
            );
            weights[l.bias..l.bias + l.outputs].copy_from_slice(self.get(&format!("{prefix}.{i}.bias"), &[l.outputs])?);
        }
        Ok(())
    }

    /// The safetensors bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let bytes: Vec<(&String, &Vec<usize>, Vec<u8>)> = self
            .tensors
            .iter()
            .map(|(name, (shape, data))| (name, shape, data.iter().flat_map(|v| v.to_le_bytes()).collect()))
            .collect();
        let views = bytes.iter().map(|(name, shape, data)| {
            ((*name).clone(), TensorView::new(Dtype::F32, (*shape).clone(), data).expect("shape matches data"))
        });
        let state = serde_json::to_string(&self.state).expect("checkpoint state serialises");
        // The map type is safetensors' own (hashbrown without std), so let inference pick it.
        let metadata =
            [("diffedge.state".to_owned(), state), ("format".to_owned(), "pt".to_owned())].into_iter().collect();
        canonical_header(safetensors::serialize(views, Some(metadata)).expect("tensors serialise"))
    }

    /// Reads safetensors bytes written by [`Checkpoint::to_bytes`] (untrusted: every problem is an error).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() > MAX_CHECKPOINT_BYTES {
            return Err(Error::new(
                "checkpoint",
                format!("is {} bytes; at most {MAX_CHECKPOINT_BYTES} are accepted", bytes.len()),
            ));
        }
        let bad =
            |e: safetensors::SafeTensorError| Error::new("checkpoint", format!("is not a valid safetensors file: {e}"));
        let (_, metadata) = safetensors::SafeTensors::read_metadata(bytes).map_err(bad)?;
        let file = safetensors::SafeTensors::deserialize(bytes).map_err(bad)?;
        let state_json = metadata.metadata().as_ref().and_then(|m| m.get("diffedge.state")).ok_or_else(|| {
            Error::new("checkpoint", "has no diffedge state in its metadata (not written by diffedge?)")
        })?;
        let state = serde_json::from_str(state_json)
            .map_err(|e| Error::new("checkpoint", format!("state is malformed: {e}")))?;
        let mut tensors = BTreeMap::new();
        for (name, view) in file.tensors() {
            if view.dtype() != Dtype::F32 {
                return Err(Error::new(
                    "checkpoint",
                    format!("tensor '{name}' is {:?}; diffedge stores f32", view.dtype()),
                ));
            }
            let data: Vec<f32> =
                view.data().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
            // Weights, optimiser moments, replay contents and latents are all finite in a sound run; a NaN
            // would load and then play a policy that ignores its input (every task to the first server).
            if let Some(i) = data.iter().position(|v| !v.is_finite()) {
                return Err(Error::new(
                    "checkpoint",
                    format!("tensor '{name}' holds a non-finite value ({}) at index {i}", data[i]),
                ));
            }
            tensors.insert(name, (view.shape().to_vec(), data));
        }
        Ok(Self { tensors, state, omit_replay: false })
    }
}

/// Largest safetensors header accepted, in bytes (the safetensors crate's own limit).
const MAX_HEADER_BYTES: u64 = 100_000_000;

/// Reads a checkpoint from `input` without reading more than its header promises: the 8-byte header length
/// and the header first, then exactly the data it describes, refusing a file past
/// [`MAX_CHECKPOINT_BYTES`] before reading its data (so `/dev/zero` or a huge file costs nothing). The
/// bytes are for [`Checkpoint::from_bytes`], which checks everything else.
pub fn read_capped(mut input: impl std::io::Read) -> Result<Vec<u8>> {
    let bad = |problem: String| Error::new("checkpoint", format!("is not a valid safetensors file: {problem}"));
    let mut length = [0u8; 8];
    input.read_exact(&mut length).map_err(|e| bad(format!("cannot read its header length ({e})")))?;
    let header_len = u64::from_le_bytes(length);
    if header_len == 0 || header_len > MAX_HEADER_BYTES {
        return Err(bad(format!("its header length is {header_len} bytes (1 to {MAX_HEADER_BYTES} are accepted)")));
    }
    let mut bytes = length.to_vec();
    (&mut input).take(header_len).read_to_end(&mut bytes).map_err(|e| bad(e.to_string()))?;
    if bytes.len() as u64 != 8 + header_len {
        return Err(bad(format!("it ends inside its {header_len}-byte header")));
    }
    let header: BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(&bytes[8..]).map_err(|e| bad(format!("its header is not JSON ({e})")))?;
    let data_len = header
        .iter()
        .filter(|(name, _)| *name != "__metadata__")
        .filter_map(|(_, info)| info.get("data_offsets")?.get(1)?.as_u64())
        .max()
        .unwrap_or(0);
    let total = 8 + header_len + data_len;
    if total > MAX_CHECKPOINT_BYTES as u64 {
        return Err(Error::new(
            "checkpoint",
            format!("would be {total} bytes; at most {MAX_CHECKPOINT_BYTES} are accepted"),
        ));
    }
    // One byte more than the data, to tell a file with bytes after its data.
    (&mut input).take(data_len + 1).read_to_end(&mut bytes).map_err(|e| bad(e.to_string()))?;
    match (bytes.len() as u64).cmp(&total) {
        std::cmp::Ordering::Equal => Ok(bytes),
        std::cmp::Ordering::Less => Err(bad(format!("it ends after {} of its {total} bytes", bytes.len()))),
        std::cmp::Ordering::Greater => Err(bad(format!("it has bytes after its {total} bytes of header and data"))),
    }
}

/// `bytes` (a safetensors file) with its JSON header's keys in sorted order. safetensors writes the metadata
/// from a hash map whose order changes from run to run; sorted, identical runs write identical files, so a
/// run's artefacts compare by hash. The tensors' data offsets are absolute within the data, so only the
/// header changes (padded with spaces to 8 bytes, as the format asks).
fn canonical_header(bytes: Vec<u8>) -> Vec<u8> {
    let header_len = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) as usize;
    let header: BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(&bytes[8..8 + header_len]).expect("safetensors writes a JSON object");
    let mut text = serde_json::to_string(&header).expect("JSON serialises");
    while !text.len().is_multiple_of(8) {
        text.push(' ');
    }
    let mut out = Vec::with_capacity(8 + text.len() + bytes.len() - 8 - header_len);
    out.extend_from_slice(&(text.len() as u64).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(&bytes[8 + header_len..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::Activation;

    #[test]
    fn round_trip_keeps_tensors_state_and_pytorch_layout() {
        let mlp = Mlp::new(&[3, 2], Activation::Relu, Activation::Identity, 0);
        let weights = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 0.5, -0.5];
        let mut ck = Checkpoint::new();
        ck.put_mlp("net", &mlp, &weights);
        ck.put_state("steps", &42u64);
        let back = Checkpoint::from_bytes(&ck.to_bytes()).unwrap();
        assert_eq!(back, ck);
        // W is [in=3, out=2] row-major inside; PyTorch's [out, in] outside.
        assert_eq!(back.get("net.0.weight", &[2, 3]).unwrap(), &[1.0, 3.0, 5.0, 2.0, 4.0, 6.0]);
        let mut restored = vec![0.0; 8];
        back.get_mlp("net", &mlp, &mut restored).unwrap();
        assert_eq!(restored, weights);
        assert_eq!(back.state::<u64>("steps").unwrap(), 42);
        assert!(back.get("net.0.weight", &[3, 2]).unwrap_err().problem.contains("shape"));
        assert!(back.state::<String>("steps").is_err());
    }

    #[test]
    fn the_same_checkpoint_is_the_same_bytes() {
        let mut ck = Checkpoint::new();
        ck.put("w", vec![2], vec![1.0, 2.0]);
        ck.put_state("steps", &42u64);
        ck.put_state("config", &serde_json::json!({"b": 1, "a": [1, 2]}));
        let first = ck.to_bytes();
        // The metadata's hash map drew a new order for each file before; twenty draws all agreeing is chance
        // 2⁻¹⁹ then.
        for _ in 0..20 {
            assert_eq!(ck.to_bytes(), first);
        }
        assert_eq!(Checkpoint::from_bytes(&first).unwrap(), ck);
    }

    #[test]
    fn non_finite_tensors_are_refused_by_name() {
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let mut ck = Checkpoint::new();
            ck.put("actor.0.weight", vec![3], vec![0.5, bad, 1.0]);
            ck.put_state("steps", &1u64);
            let e = Checkpoint::from_bytes(&ck.to_bytes()).unwrap_err();
            assert!(e.problem.contains("'actor.0.weight'") && e.problem.contains("index 1"), "{e}");
        }
    }

    #[test]
    fn reading_stops_at_what_the_header_promises() {
        let mut ck = Checkpoint::new();
        ck.put("w", vec![2], vec![1.0, 2.0]);
        ck.put_state("steps", &1u64);
        let bytes = ck.to_bytes();
        assert_eq!(read_capped(&bytes[..]).unwrap(), bytes);
        // An endless stream of zeros: a header length of 0, refused after 8 bytes.
        let e = read_capped(std::io::repeat(0)).unwrap_err();
        assert!(e.problem.contains("header length is 0"), "{e}");
        // An endless stream of 0x20: a 2.3e15-byte header, refused before reading it.
        assert!(read_capped(std::io::repeat(b' ')).unwrap_err().problem.contains("header length"));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(read_capped(&longer[..]).unwrap_err().problem.contains("bytes after"));
        assert!(read_capped(&bytes[..bytes.len() - 1]).unwrap_err().problem.contains("ends after"));
        // A header promising more data than accepted is refused without reading any.
        let header = format!(r#"{{"w":{{"dtype":"F32","shape":[1],"data_offsets":[0,{}]}}}}"#, 1u64 << 40);
        let mut huge = (header.len() as u64).to_le_bytes().to_vec();
        huge.extend_from_slice(header.as_bytes());
        assert!(read_capped(huge.as_slice().chain(std::io::repeat(0))).unwrap_err().problem.contains("would be"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [
            &b""[..],
            b"12345678",
            &[255u8; 64],
            &[8, 0, 0, 0, 0, 0, 0, 0, b'{', b'}', b' ', b' ', b' ', b' ', b' ', b' '],
        ] {
            assert_eq!(Checkpoint::from_bytes(bytes).unwrap_err().field, "checkpoint");
        }
    }
}
