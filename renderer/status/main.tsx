import { render } from 'preact';
import { App } from './app.js';
import './status.css';

render(<App />, document.getElementById('app')!);
