// G.711 lives in shared/ (pure): the renderer encodes the microphone with the same code.
export * from '../../../shared/model/audio/g711.ts';
