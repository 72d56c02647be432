// Fingerprinted asset: its name changes when its content does, so it is cached for a year.
const release = document.querySelector('meta[name="release"]')?.getAttribute('content');
const served = document.getElementById('served');
if (served) served.textContent = `Served release ${release} at ${new Date().toLocaleTimeString()}.`;
