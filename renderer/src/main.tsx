import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { BridgeProvider } from './app/bridge-context.tsx';
import { selectBridge } from './bridge/select-bridge.ts';
import './styles.css';

const { bridge, kind } = selectBridge();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BridgeProvider bridge={bridge} kind={kind}>
      <App />
    </BridgeProvider>
  </StrictMode>,
);
