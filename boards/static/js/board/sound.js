// The ER alert's sound: a two-tone beep made with WebAudio (no audio file), repeated every
// two seconds while an alert is on and the board is not muted.
//
// Browsers let a page make sound only after someone has interacted with it. A wall screen
// that reboots must not come back silent, so a device can be set up once as a kiosk: the
// board remembers that (localStorage) and turns sound on by itself at every load. That works
// when the browser allows it (Chromium started with --autoplay-policy=no-user-gesture-required,
// see README); otherwise the first press anywhere on the page turns it on, and until then the
// board shows a large SOUND OFF warning.

const PERIOD = 2000;
const KIOSK_KEY = "asim.sound-on-load";
const AUTOPLAY_WAIT_MS = 800;

// The one-time per-device setting ("this screen turns sound on by itself").
export const kiosk = {
  get on() {
    try {
      return localStorage.getItem(KIOSK_KEY) === "1";
    } catch {
      return false; // storage blocked: behave as an ordinary screen
    }
  },
  set(on) {
    try {
      if (on) localStorage.setItem(KIOSK_KEY, "1");
      else localStorage.removeItem(KIOSK_KEY);
    } catch {
      /* storage blocked: the setting cannot be kept */
    }
  },
};

export class Alarm {
  constructor({ onChange = () => {} } = {}) {
    this.context = null;
    this.timer = null;
    this.sounding = false;
    this.mutedUntil = 0;
    this.onChange = onChange;
  }

  get enabled() {
    return Boolean(this.context && this.context.state === "running");
  }

  get muted() {
    return Date.now() < this.mutedUntil;
  }

  // Creates/resumes the audio context. From a click it always works; without one the browser
  // may keep it suspended (its promise then never settles), so give up after a moment.
  async enable({ wait = 0 } = {}) {
    const AudioContext = window.AudioContext || window.webkitAudioContext;
    if (!AudioContext) return false;
    if (!this.context) {
      this.context = new AudioContext();
      this.context.addEventListener?.("statechange", () => this.onChange());
    }
    const before = this.enabled;
    try {
      const resumed = this.context.resume();
      await (wait ? Promise.race([resumed, new Promise((done) => setTimeout(done, wait))]) : resumed);
    } catch {
      return false;
    }
    if (this.enabled !== before) this.onChange();
    return this.enabled;
  }

  // At load: a kiosk screen tries to turn sound on by itself; every screen turns it on at the
  // first press or key anywhere on the page (a user gesture, which browsers always accept).
  autoEnable() {
    const stopListening = () => {
      for (const kind of ["pointerdown", "keydown"]) document.removeEventListener(kind, onGesture, true);
    };
    const onGesture = async (event) => {
      // Already on: nothing to do (and no re-render under the pointer, which would swallow
      // the click that is starting).
      if (this.enabled) return stopListening();
      if (event.target.closest?.("[data-sound-control]")) return; // its own click decides
      await this.enable();
      if (this.enabled) {
        stopListening();
        if (this.sounding) this.beep();
      }
    };
    for (const kind of ["pointerdown", "keydown"]) document.addEventListener(kind, onGesture, true);
    if (kiosk.on) this.enable({ wait: AUTOPLAY_WAIT_MS });
  }

  start() {
    if (this.sounding) return;
    this.sounding = true;
    this.beep();
    this.timer = setInterval(() => this.beep(), PERIOD);
    this.onChange();
  }

  stop() {
    this.sounding = false;
    clearInterval(this.timer);
    this.timer = null;
    this.onChange();
  }

  mute(ms) {
    this.mutedUntil = Date.now() + ms;
    this.onChange();
  }

  unmute() {
    this.mutedUntil = 0;
    this.onChange();
  }

  beep() {
    if (this.muted || !this.enabled) return;
    const ctx = this.context;
    const start = ctx.currentTime;
    for (const [offset, frequency] of [[0, 880], [0.3, 660]]) {
      const oscillator = ctx.createOscillator();
      const gain = ctx.createGain();
      oscillator.type = "square";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.25);
      oscillator.connect(gain).connect(ctx.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.27);
    }
    this.beeps = (this.beeps || 0) + 1;
    document.body.dataset.beeps = String(this.beeps); // lets a test (or a curious admin) see it
  }
}
