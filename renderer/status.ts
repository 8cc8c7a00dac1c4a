/** The status window; it will talk only to the typed API the preload exposes. */
const root = document.getElementById('app');
if (root) root.textContent = 'Dandelion';
