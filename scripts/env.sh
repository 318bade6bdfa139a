# Sourced by the other scripts: tool paths and the browser every test uses.
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
export CHROME_BIN=/usr/bin/chromium
# lavapipe for wgpu natively; skip the noisy OpenGL probe.
export WGPU_BACKEND="${WGPU_BACKEND:-vulkan}"
