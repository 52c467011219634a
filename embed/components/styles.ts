// The components' shared look: every colour, font and radius comes from a custom property that
// `appearance` sets, with a default; a single column that fits a phone; focus always visible.
import { css } from 'lit';

export const baseStyles = css`
  :host {
    --_primary: var(--connect-color-primary, #3b3bd4);
    --_background: var(--connect-color-background, #ffffff);
    --_text: var(--connect-color-text, #1f2330);
    --_danger: var(--connect-color-danger, #b3261e);
    --_muted: color-mix(in srgb, var(--_text) 65%, var(--_background));
    --_line: color-mix(in srgb, var(--_text) 20%, var(--_background));
    --_radius: var(--connect-border-radius, 8px);
    display: block;
    box-sizing: border-box;
    max-width: 40rem;
    padding: 1rem;
    color: var(--_text);
    background: var(--_background);
    font-family: var(--connect-font-family, system-ui, sans-serif);
    font-size: 1rem;
    line-height: 1.5;
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  h2 {
    font-size: 1.25rem;
    margin: 0 0 0.75rem;
  }
  h3 {
    font-size: 1.05rem;
    margin: 1rem 0 0.5rem;
  }
  p {
    margin: 0 0 0.75rem;
  }
  a {
    color: var(--_primary);
  }
  .muted {
    color: var(--_muted);
  }
  .field {
    margin-bottom: 0.9rem;
  }
  label {
    display: block;
    font-weight: 600;
    margin-bottom: 0.25rem;
  }
  .optional,
  .hint {
    font-weight: 400;
    color: var(--_muted);
  }
  .hint {
    display: block;
    font-size: 0.9rem;
  }
  input,
  select {
    width: 100%;
    font: inherit;
    color: inherit;
    background: var(--_background);
    padding: 0.5rem 0.6rem;
    border: 1px solid var(--_muted);
    border-radius: calc(var(--_radius) / 2);
  }
  input[aria-invalid='true'],
  select[aria-invalid='true'] {
    border: 2px solid var(--_danger);
  }
  .field-error {
    color: var(--_danger);
    font-weight: 600;
    margin: 0.25rem 0 0;
  }
  button {
    font: inherit;
    cursor: pointer;
    padding: 0.5rem 1rem;
    border-radius: calc(var(--_radius) / 2);
    border: 1px solid var(--_primary);
    background: var(--_primary);
    color: var(--_background);
    min-height: 2.75rem;
  }
  button.secondary {
    background: transparent;
    color: var(--_primary);
  }
  button.link {
    border: none;
    background: none;
    color: var(--_primary);
    padding: 0;
    min-height: auto;
    text-decoration: underline;
  }
  button[disabled] {
    opacity: 0.6;
    cursor: progress;
  }
  :focus-visible {
    outline: 3px solid color-mix(in srgb, var(--_primary) 60%, transparent);
    outline-offset: 2px;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    margin-top: 1rem;
  }
  .error-summary {
    border: 2px solid var(--_danger);
    border-radius: calc(var(--_radius) / 2);
    padding: 0.75rem 1rem;
    margin-bottom: 1rem;
  }
  .error-summary h3 {
    margin-top: 0;
    color: var(--_danger);
  }
  .error-summary ul {
    margin: 0;
    padding-left: 1.2rem;
  }
  .status {
    font-weight: 600;
  }
  ul.items {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  ul.items > li {
    border-top: 1px solid var(--_line);
    padding: 0.75rem 0;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  @media (max-width: 480px) {
    :host {
      padding: 0.75rem;
    }
    .actions > button {
      flex: 1 1 100%;
    }
  }
`;
