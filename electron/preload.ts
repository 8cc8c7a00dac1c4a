/**
 * The preload exposes exactly the typed API of src/ to the renderer (arrives with the windows).
 * Until then it exposes nothing: the renderer gets no access to Node or IPC.
 */
export {};
