import { render } from 'preact';
import { useSnapshot } from '../shared/hooks.js';
import './status.css';

function App() {
  const { snapshot } = useSnapshot();
  return <main>{snapshot ? `${snapshot.profiles.length} profiles` : 'Loading'}</main>;
}

render(<App />, document.getElementById('app')!);
