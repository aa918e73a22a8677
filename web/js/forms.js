// Form submission with no double submit: the submit button is disabled while in flight.

/** Calls handler(form) on submit; its submit button stays disabled until handler settles. */
export function onSubmit(form, handler) {
  let busy = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    const buttons = [...form.querySelectorAll('button')];
    buttons.forEach((b) => { b.disabled = true; });
    form.setAttribute('aria-busy', 'true');
    try {
      await handler(form);
    } finally {
      busy = false;
      buttons.forEach((b) => { b.disabled = false; });
      form.removeAttribute('aria-busy');
    }
  });
}

/** Runs action with button disabled meanwhile (for buttons outside forms). */
export async function whileBusy(button, action) {
  if (button.disabled) return;
  button.disabled = true;
  try {
    await action();
  } finally {
    if (button.isConnected) button.disabled = false;
  }
}
