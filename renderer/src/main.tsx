import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { BridgeProvider } from './app/bridge-context.tsx';
import { selectBridge } from './bridge/select-bridge.ts';
import './styles/theme.css';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/features.css';

const selected = selectBridge();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BridgeProvider {...selected}>
      <App />
    </BridgeProvider>
  </StrictMode>,
);
