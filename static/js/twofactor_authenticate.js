// The 2FA sign-in step's "Use a security key" button (templates/mfa/authenticate.html).
// allauth wires it from an inline JSON <script> block; our templates hold no inline
// <script> at all, so the same ids come from data- attributes and this file starts it.
(function () {
  function start () {
    const holder = document.querySelector('[data-twofactor-webauthn]')
    const webauthn = window.allauth && window.allauth.webauthn
    if (!holder || !webauthn) return
    webauthn.forms.authenticateForm({
      ids: {
        authenticate: holder.dataset.authenticate,
        credential: holder.dataset.credential,
        data: holder.dataset.data
      }
    })
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start)
  } else {
    start()
  }
})()
