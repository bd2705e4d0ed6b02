export { CloudEventsReceiver, type ReceivedRequest } from '../../scripts/cloudevents-receiver';
