import { render } from 'preact';
import { App } from './app.js';
import './preferences.css';

render(<App />, document.getElementById('app')!);
