// The ER alert's sound: a two-tone beep made with WebAudio (no audio file), repeated every
// two seconds while an alert is on and the board is not muted.
//
// Browsers let a page make sound only after someone has interacted with it, so a wall screen
// needs one click ("Enable sound") after it is opened; the board says so until it happens.

const PERIOD = 2000;

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

  // Call from a click: creates/resumes the audio context.
  async enable() {
    const AudioContext = window.AudioContext || window.webkitAudioContext;
    if (!AudioContext) return false;
    if (!this.context) this.context = new AudioContext();
    try {
      await this.context.resume();
    } catch {
      return false;
    }
    this.onChange();
    return this.enabled;
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
