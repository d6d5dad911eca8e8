/** Channel names shared by the IPC wiring (main) and the preload. */
export const IPC_REQUEST_CHANNEL = 'natscope:request';
export const IPC_FRAME_CHANNEL = 'natscope:frame';
