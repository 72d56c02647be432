import type { DistributionConfig } from '@aws-sdk/client-cloudfront';

/**
 * A DistributionConfig with every part a real distribution may carry next to slipway's S3 origin:
 * an origin group for failover, a custom origin with Origin Shield and custom headers, cache
 * behaviors with function associations, error pages, logging, a custom certificate, geo
 * restrictions, a WAF, continuous deployment. The origin switch must send all of it back as it
 * read it, the one origin path aside.
 */
export function fullDistributionConfig(bucket: string, originPath: string, callerReference = 'full-config'): DistributionConfig {
  return {
    CallerReference: callerReference,
    Aliases: { Quantity: 2, Items: ['www.example.com', 'example.com'] },
    DefaultRootObject: 'index.html',
    Origins: {
      Quantity: 3,
      Items: [
        {
          Id: 'site',
          DomainName: `${bucket}.s3.us-east-1.amazonaws.com`,
          OriginPath: originPath,
          CustomHeaders: { Quantity: 1, Items: [{ HeaderName: 'X-Origin-Secret', HeaderValue: 's3cr3t' }] },
          S3OriginConfig: { OriginAccessIdentity: '', OriginReadTimeout: 45 },
          ConnectionAttempts: 2,
          ConnectionTimeout: 5,
          OriginShield: { Enabled: true, OriginShieldRegion: 'us-east-1' },
          OriginAccessControlId: 'E2OACEXAMPLE01',
        },
        {
          Id: 'failover',
          DomainName: `${bucket}-replica.s3.eu-west-1.amazonaws.com`,
          OriginPath: '/replica',
          CustomHeaders: { Quantity: 0 },
          S3OriginConfig: { OriginAccessIdentity: '' },
          ConnectionAttempts: 3,
          ConnectionTimeout: 10,
          OriginShield: { Enabled: false },
          OriginAccessControlId: 'E2OACEXAMPLE02',
        },
        {
          Id: 'api',
          DomainName: 'api.example.com',
          OriginPath: '/prod',
          CustomHeaders: { Quantity: 0 },
          CustomOriginConfig: {
            HTTPPort: 80,
            HTTPSPort: 443,
            OriginProtocolPolicy: 'https-only',
            OriginSslProtocols: { Quantity: 2, Items: ['TLSv1.2', 'TLSv1.1'] },
            OriginReadTimeout: 60,
            OriginKeepaliveTimeout: 10,
          },
          ConnectionAttempts: 1,
          ConnectionTimeout: 3,
          OriginShield: { Enabled: true, OriginShieldRegion: 'eu-west-1' },
        },
      ],
    },
    OriginGroups: {
      Quantity: 1,
      Items: [
        {
          Id: 'site-with-failover',
          FailoverCriteria: { StatusCodes: { Quantity: 3, Items: [500, 502, 503] } },
          Members: { Quantity: 2, Items: [{ OriginId: 'site' }, { OriginId: 'failover' }] },
          SelectionCriteria: 'default',
        },
      ],
    },
    DefaultCacheBehavior: {
      TargetOriginId: 'site',
      TrustedSigners: { Enabled: false, Quantity: 0 },
      TrustedKeyGroups: { Enabled: false, Quantity: 0 },
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: { Quantity: 2, Items: ['HEAD', 'GET'], CachedMethods: { Quantity: 2, Items: ['HEAD', 'GET'] } },
      SmoothStreaming: false,
      Compress: true,
      LambdaFunctionAssociations: { Quantity: 0 },
      FunctionAssociations: {
        Quantity: 1,
        Items: [{ FunctionARN: 'arn:aws:cloudfront::123456789012:function/rewrite', EventType: 'viewer-request' }],
      },
      FieldLevelEncryptionId: '',
      CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
      OriginRequestPolicyId: '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf',
      ResponseHeadersPolicyId: '67f7725c-6f97-4210-82d7-5512b31e9d03',
    },
    CacheBehaviors: {
      Quantity: 2,
      Items: [
        {
          PathPattern: '/api/*',
          TargetOriginId: 'api',
          TrustedSigners: { Enabled: false, Quantity: 0 },
          TrustedKeyGroups: { Enabled: false, Quantity: 0 },
          ViewerProtocolPolicy: 'https-only',
          AllowedMethods: {
            Quantity: 7,
            Items: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'],
            CachedMethods: { Quantity: 2, Items: ['HEAD', 'GET'] },
          },
          SmoothStreaming: false,
          Compress: false,
          LambdaFunctionAssociations: {
            Quantity: 1,
            Items: [{ LambdaFunctionARN: 'arn:aws:lambda:us-east-1:123456789012:function:auth:3', EventType: 'origin-request', IncludeBody: true }],
          },
          FunctionAssociations: { Quantity: 0 },
          FieldLevelEncryptionId: '',
          CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
          OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
        },
        {
          PathPattern: '/assets/*',
          TargetOriginId: 'site-with-failover',
          TrustedSigners: { Enabled: false, Quantity: 0 },
          TrustedKeyGroups: { Enabled: false, Quantity: 0 },
          ViewerProtocolPolicy: 'redirect-to-https',
          AllowedMethods: { Quantity: 2, Items: ['HEAD', 'GET'], CachedMethods: { Quantity: 2, Items: ['HEAD', 'GET'] } },
          SmoothStreaming: false,
          Compress: true,
          LambdaFunctionAssociations: { Quantity: 0 },
          FunctionAssociations: { Quantity: 0 },
          FieldLevelEncryptionId: '',
          CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
        },
      ],
    },
    CustomErrorResponses: {
      Quantity: 2,
      Items: [
        { ErrorCode: 404, ResponsePagePath: '/404.html', ResponseCode: '404', ErrorCachingMinTTL: 30 },
        { ErrorCode: 403, ResponsePagePath: '/index.html', ResponseCode: '200', ErrorCachingMinTTL: 0 },
      ],
    },
    Comment: 'slipway site with everything',
    Logging: { Enabled: true, IncludeCookies: true, Bucket: 'logs-bucket.s3.amazonaws.com', Prefix: 'cdn/' },
    PriceClass: 'PriceClass_100',
    Enabled: true,
    ViewerCertificate: {
      CloudFrontDefaultCertificate: false,
      ACMCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
      SSLSupportMethod: 'sni-only',
      MinimumProtocolVersion: 'TLSv1.2_2021',
      Certificate: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
      CertificateSource: 'acm',
    },
    Restrictions: { GeoRestriction: { RestrictionType: 'blacklist', Quantity: 2, Items: ['KP', 'IR'] } },
    WebACLId: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/abcd',
    HttpVersion: 'http2and3',
    IsIPV6Enabled: true,
    ContinuousDeploymentPolicyId: 'cd-policy-1',
    Staging: false,
  };
}
