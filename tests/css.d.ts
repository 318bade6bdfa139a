// Style sheets imported for their side effect by the page's modules (Vite bundles them); tests only bundle the code.
declare module '*.css';
