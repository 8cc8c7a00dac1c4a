import { useState } from 'preact/hooks';
import { Banner, Button } from '../shared/components.js';
import type { Diagnosis } from '../shared/types.js';
import { actionFor } from './actions.js';
import { RichText } from './rich-text.js';

/**
 * A failure as the user should meet it: the diagnosis sentence, its fix, and the button that
 * does the fix where one exists. Several diagnoses of one run show the first in full and count
 * the rest (the first is the one that explains the run's result).
 */
export function DiagnosisBlock(props: {
  title: preact.ComponentChildren;
  kind: 'warning' | 'error';
  diagnoses: Diagnosis[];
  fallback: string | null;
  profile: string;
  platform: string;
  children?: preact.ComponentChildren;
}) {
  const [busy, setBusy] = useState(false);
  const first = props.diagnoses[0];
  const action = first ? actionFor(first.kind, props.profile, props.platform) : null;
  const more = props.diagnoses.length - 1;
  return (
    <Banner
      kind={props.kind}
      title={props.title}
      actions={
        action ? (
          <Button
            disabled={busy}
            onClick={() => {
              setBusy(true);
              void action.run().finally(() => setBusy(false));
            }}
          >
            {action.label}
          </Button>
        ) : null
      }
    >
      {first ? (
        <>
          <p class="selectable">
            <RichText text={first.message} />
          </p>
          <p class="fix selectable">
            <RichText text={first.fix} />
          </p>
          {more > 0 ? (
            <p class="secondary">{more === 1 ? 'And 1 more problem; see the log.' : `And ${more} more problems; see the log.`}</p>
          ) : null}
        </>
      ) : props.fallback ? (
        <p class="selectable">{props.fallback}</p>
      ) : null}
      {props.children}
    </Banner>
  );
}
