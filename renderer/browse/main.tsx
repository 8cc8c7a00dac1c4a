import { render } from 'preact';
import { App } from './app.js';
import { startSnapshot } from '../shared/hooks.js';
import './browse.css';

// The question goes out before the first render, not after its first paint (when effects run).
startSnapshot();
render(<App />, document.getElementById('app')!);
