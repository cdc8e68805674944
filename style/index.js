import './base.css';
import './views.css';
import './jobs.css';
import './endpoints.css';
import './tuning.css';
import './registry.css';
import './pipelines.css';
import './lineage.css';
